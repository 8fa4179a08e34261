"""Cost scheduler: tears the EKS cluster down and rebuilds it through Terraform Cloud, one step per call.

Every entry point (the two Lambda functions, ``reservations cluster ...``) runs the same resumable
steps: each call looks at the current state, advances it by one step and returns an ``Outcome``,
so no invocation ever sits waiting for AWS or Terraform Cloud.
"""
