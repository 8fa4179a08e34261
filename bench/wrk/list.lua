-- GET a 50-row page; headers come from the command line (-H).
wrk.method = "GET"
wrk.path = "/reservations?limit=50"
