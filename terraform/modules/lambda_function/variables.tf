variable "function_name" {
  description = "Name of the Lambda function (and of its log group /aws/lambda/<name>)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,64}$", var.function_name))
    error_message = "function_name must be 1-64 letters, digits, hyphens or underscores."
  }
}

variable "description" {
  description = "What the function is for, shown in the console."
  type        = string
  default     = ""
}

variable "handler" {
  description = "Python handler, <dotted module>.<function> (from the catalogue)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z_][A-Za-z0-9_.]*\\.[A-Za-z_][A-Za-z0-9_]*$", var.handler))
    error_message = "handler must be a dotted module path followed by a function name."
  }
}

variable "runtime" {
  description = "Lambda runtime; the zips are built for CPython 3.12."
  type        = string
  default     = "python3.12"

  validation {
    condition     = contains(["python3.12"], var.runtime)
    error_message = "runtime must be python3.12: the builder installs dependencies for that interpreter."
  }
}

variable "architecture" {
  description = "Instruction set; must match the platform the zip's wheels were chosen for."
  type        = string
  default     = "x86_64"

  validation {
    condition     = contains(["x86_64", "arm64"], var.architecture)
    error_message = "architecture must be x86_64 or arm64."
  }
}

variable "memory_mb" {
  description = "Memory (and proportional CPU) of the function."
  type        = number
  default     = 256

  validation {
    condition     = var.memory_mb >= 128 && var.memory_mb <= 10240
    error_message = "memory_mb must be between 128 and 10240."
  }
}

variable "timeout_s" {
  description = "Longest a single invocation may run."
  type        = number
  default     = 10

  validation {
    condition     = var.timeout_s >= 1 && var.timeout_s <= 900
    error_message = "timeout_s must be between 1 and 900."
  }
}

variable "s3_bucket" {
  description = "Artifacts bucket holding the function's zip."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.s3_bucket))
    error_message = "s3_bucket must be an S3 bucket name."
  }
}

variable "s3_key" {
  description = "Key of the zip: [<prefix>/]<function>/<function>-<build_id>.zip, as the builder uploads it."
  type        = string

  validation {
    condition     = can(regex("^([A-Za-z0-9._-]+/)*[a-z0-9-]+/[a-z0-9-]+-[A-Za-z0-9._-]+\\.zip$", var.s3_key)) && !can(regex("-missing\\.zip$", var.s3_key))
    error_message = "s3_key must name a built zip; a function has no entry in lambda_builds: run `reservations build tfvars` to write lambda_builds.auto.tfvars.json."
  }
}

variable "source_code_hash" {
  description = "Base64 sha256 of the zip (from the build metadata), so a new build is deployed and an unchanged one is not."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9+/]{43}=$", var.source_code_hash))
    error_message = "source_code_hash must be a base64 sha256 from lambda_builds.auto.tfvars.json (run `reservations build tfvars`)."
  }
}

variable "role_arn" {
  description = "Execution role (from the iam module)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/", var.role_arn))
    error_message = "role_arn must be an IAM role ARN."
  }
}

variable "environment" {
  description = "Environment variables of the function. Never put secrets here: pass a Secrets Manager ARN instead."
  type        = map(string)
  default     = {}
}

variable "reserved_concurrency" {
  description = "Reserved concurrent executions; null leaves the function in the account's unreserved pool."
  type        = number
  default     = null

  validation {
    condition     = var.reserved_concurrency == null ? true : var.reserved_concurrency >= 0
    error_message = "reserved_concurrency must be null or a non-negative number."
  }
}

variable "log_retention_days" {
  description = "Retention of the function's own log group (the root's log_retention.function)."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be one of the values CloudWatch Logs accepts."
  }
}

variable "kms_key_arn" {
  description = "KMS key encrypting the environment variables and the log group."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN."
  }
}

variable "tracing_mode" {
  description = "X-Ray tracing mode."
  type        = string
  default     = "Active"

  validation {
    condition     = contains(["Active", "PassThrough"], var.tracing_mode)
    error_message = "tracing_mode must be Active or PassThrough."
  }
}

variable "alias_name" {
  description = "Name of the alias callers invoke and CodeDeploy shifts."
  type        = string
  default     = "live"

  validation {
    condition     = can(regex("^[A-Za-z][A-Za-z0-9_-]{0,127}$", var.alias_name)) && !can(regex("^[0-9]+$", var.alias_name))
    error_message = "alias_name must be a Lambda alias name (letters, digits, - and _, not only digits)."
  }
}

variable "snap_start" {
  description = "Lambda SnapStart on published versions (python3.12+): restores an initialised snapshot instead of importing. Costs a snapshot cache charge per GB-second while the version is published and a restore charge per GB restored (docs/benchmarks.md)."
  type        = bool
  default     = false
}
