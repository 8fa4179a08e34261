variable "name" {
  description = "Prefix of the project, bucket and log group names."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,31}$", var.name))
    error_message = "name must be 3-32 lower-case letters, digits or hyphens, starting with a letter."
  }
}

variable "source_repository_url" {
  description = "HTTPS clone URL of the repository holding buildspec.yml at its root."
  type        = string

  validation {
    condition     = can(regex("^https://.+", var.source_repository_url))
    error_message = "source_repository_url must be an https:// clone URL."
  }
}

variable "source_version" {
  description = "Branch, tag or commit built when a build does not name one."
  type        = string
  default     = "main"
}

variable "buildspec" {
  description = "Path of the buildspec inside the repository."
  type        = string
  default     = "buildspec.yml"

  validation {
    condition     = can(regex("^[A-Za-z0-9._/-]+\\.ya?ml$", var.buildspec))
    error_message = "buildspec must be a path to a .yml file in the repository."
  }
}

variable "default_function" {
  description = "FUNCTION_NAME used when a build is started without an override (start-build --environment-variables-override name=FUNCTION_NAME,value=...); a catalogue name."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,30}$", var.default_function))
    error_message = "default_function must be a catalogue function name."
  }
}

variable "artifacts_prefix" {
  description = "Key prefix the builder uploads under (ARTIFACTS_PREFIX); empty for none."
  type        = string
  default     = ""

  validation {
    condition     = can(regex("^([A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*)?$", var.artifacts_prefix))
    error_message = "artifacts_prefix must be empty or path segments without leading or trailing slashes."
  }
}

variable "lambda_architecture" {
  description = "Architecture the zips are built for (LAMBDA_ARCH); must match the functions'."
  type        = string
  default     = "x86_64"

  validation {
    condition     = contains(["x86_64", "arm64"], var.lambda_architecture)
    error_message = "lambda_architecture must be x86_64 or arm64."
  }
}

variable "service_role_arn" {
  description = "The CodeBuild service role (from the iam module)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/", var.service_role_arn))
    error_message = "service_role_arn must be an IAM role ARN."
  }
}

variable "kms_key_arn" {
  description = "Key encrypting the bucket, the build's artifacts and its logs."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN."
  }
}

variable "compute_type" {
  description = "CodeBuild compute type."
  type        = string
  default     = "BUILD_GENERAL1_SMALL"

  validation {
    condition     = contains(["BUILD_GENERAL1_SMALL", "BUILD_GENERAL1_MEDIUM", "BUILD_GENERAL1_LARGE"], var.compute_type)
    error_message = "compute_type must be BUILD_GENERAL1_SMALL, _MEDIUM or _LARGE."
  }
}

variable "build_image" {
  description = "CodeBuild image; it must offer the python 3.12 runtime the buildspec asks for."
  type        = string
  default     = "aws/codebuild/standard:7.0"
}

variable "noncurrent_version_days" {
  description = "Days an overwritten or deleted artifact version is kept before it expires."
  type        = number
  default     = 90

  validation {
    condition     = var.noncurrent_version_days >= 1
    error_message = "noncurrent_version_days must be at least 1."
  }
}

variable "log_retention_days" {
  description = "Retention of the build logs."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be one of the values CloudWatch Logs accepts."
  }
}

variable "source_auth" {
  description = "How CodeBuild reads a private repository: { type = \"CODECONNECTIONS\", resource = <connection ARN> } or { type = \"SECRETS_MANAGER\", resource = <secret ARN holding a GitHub token> }; null for a public repository."
  type = object({
    type     = string
    resource = string
  })
  default = null

  validation {
    condition = var.source_auth == null || (
      (try(var.source_auth.type, "") == "CODECONNECTIONS" && can(regex("^arn:aws[a-z-]*:(codeconnections|codestar-connections):[a-z0-9-]+:[0-9]{12}:connection/.+$", try(var.source_auth.resource, ""))))
      || (try(var.source_auth.type, "") == "SECRETS_MANAGER" && can(regex("^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:.+$", try(var.source_auth.resource, ""))))
    )
    error_message = "source_auth must be a CODECONNECTIONS connection ARN or a SECRETS_MANAGER secret ARN."
  }
}

variable "force_destroy" {
  description = "Whether terraform destroy may delete the artifacts bucket with the zips the builds uploaded (every version); false keeps them and the destroy stops at BucketNotEmpty."
  type        = bool
  default     = false
}
