"""Cells (issue #24): identical deployments behind one URL, each customer in one of them.

``config`` names the cells and opens the directory, ``placement`` puts a new customer in a cell and
writes the directory last, ``routing`` is the edge's view of the directory, ``moving`` moves a
customer between cells.  The edge itself (the local one) is ``gateway.cell_router``.
"""
