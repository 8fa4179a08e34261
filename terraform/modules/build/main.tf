# The build pipeline: one CodeBuild project running the repository's buildspec.yml for the function
# named by FUNCTION_NAME, uploading <prefix>/<function>/<function>-<build id>.zip to the artifacts
# bucket, from which the lambda_function module deploys exactly that build.

data "aws_caller_identity" "current" {}

locals {
  bucket_name = "${var.name}-artifacts-${data.aws_caller_identity.current.account_id}"
}

resource "aws_s3_bucket" "artifacts" {
  #checkov:skip=CKV_AWS_144:Artifacts are rebuilt byte-for-byte from the repository (reproducible builds); a second region would add cost without adding a copy that cannot be regenerated.
  #checkov:skip=CKV_AWS_18:Writes come only from the CodeBuild role and are recorded in CloudTrail; a separate access-log bucket would need a log bucket of its own.
  #checkov:skip=CKV2_AWS_62:Nothing reacts to uploads: deployment is an explicit terraform apply with the build id.
  bucket = local.bucket_name
  # The zips are uploaded by the builds, not by Terraform: without this a destroy stops at
  # BucketNotEmpty (every version of every zip must go first).
  force_destroy = var.force_destroy
}

resource "aws_s3_bucket_public_access_block" "artifacts" {
  bucket                  = aws_s3_bucket.artifacts.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "artifacts" {
  bucket = aws_s3_bucket.artifacts.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_versioning" "artifacts" {
  bucket = aws_s3_bucket.artifacts.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "artifacts" {
  bucket = aws_s3_bucket.artifacts.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = var.kms_key_arn
    }
    bucket_key_enabled = true
  }
}

# Deployed builds are referenced by key, so current versions are kept; replaced or deleted versions
# and abandoned multipart uploads expire.
resource "aws_s3_bucket_lifecycle_configuration" "artifacts" {
  bucket = aws_s3_bucket.artifacts.id

  rule {
    id     = "expire-old-versions"
    status = "Enabled"
    filter {}

    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_days
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }

  depends_on = [aws_s3_bucket_versioning.artifacts]
}

data "aws_iam_policy_document" "artifacts" {
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.artifacts.arn, "${aws_s3_bucket.artifacts.arn}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "artifacts" {
  bucket = aws_s3_bucket.artifacts.id
  policy = data.aws_iam_policy_document.artifacts.json

  depends_on = [aws_s3_bucket_public_access_block.artifacts]
}

resource "aws_cloudwatch_log_group" "codebuild" {
  #checkov:skip=CKV_AWS_338:Retention is the operator's choice per log class (var.log_retention.function at the root); build output is reproducible from the commit.
  name              = "/aws/codebuild/${var.name}-functions"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
}

resource "aws_codebuild_project" "functions" {
  name           = "${var.name}-functions"
  description    = "Builds one Lambda zip (FUNCTION_NAME) and uploads it to the artifacts bucket"
  service_role   = var.service_role_arn
  encryption_key = var.kms_key_arn
  build_timeout  = 30
  source_version = var.source_version

  source {
    type            = "GITHUB"
    location        = var.source_repository_url
    buildspec       = var.buildspec
    git_clone_depth = 1

    # A private repository: a CodeConnections connection (authorised once in the console) or a
    # GitHub token in Secrets Manager; the project's role may use only that one (below).
    dynamic "auth" {
      for_each = var.source_auth == null ? [] : [var.source_auth]
      content {
        type     = auth.value.type
        resource = auth.value.resource
      }
    }
  }

  # The builder uploads the zip and its metadata itself (never overwriting a key with other
  # content), so CodeBuild keeps no artifacts of its own.
  artifacts {
    type = "NO_ARTIFACTS"
  }

  environment {
    type                        = "LINUX_CONTAINER"
    compute_type                = var.compute_type
    image                       = var.build_image
    image_pull_credentials_type = "CODEBUILD"
    privileged_mode             = false

    environment_variable {
      name  = "FUNCTION_NAME"
      value = var.default_function
    }
    environment_variable {
      name  = "ARTIFACTS_BUCKET"
      value = aws_s3_bucket.artifacts.bucket
    }
    environment_variable {
      name  = "ARTIFACTS_PREFIX"
      value = var.artifacts_prefix
    }
    environment_variable {
      name  = "ARTIFACTS_KMS_KEY_ID"
      value = var.kms_key_arn
    }
    environment_variable {
      name  = "LAMBDA_ARCH"
      value = var.lambda_architecture
    }
  }

  logs_config {
    cloudwatch_logs {
      status     = "ENABLED"
      group_name = aws_cloudwatch_log_group.codebuild.name
    }
    s3_logs {
      status = "DISABLED"
    }
  }
}

# What the project's role needs to read a private repository through var.source_auth, and nothing else.
resource "aws_iam_role_policy" "source_auth" {
  count = var.source_auth == null ? 0 : 1

  name = "${var.name}-functions-source"
  role = element(split("/", var.service_role_arn), length(split("/", var.service_role_arn)) - 1)
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid    = "ReadThePrivateRepository"
      Effect = "Allow"
      Action = var.source_auth.type == "CODECONNECTIONS" ? [
        "codeconnections:GetConnection", "codeconnections:GetConnectionToken", "codeconnections:UseConnection",
        "codestar-connections:GetConnection", "codestar-connections:GetConnectionToken", "codestar-connections:UseConnection",
      ] : ["secretsmanager:GetSecretValue"]
      Resource = var.source_auth.resource
    }]
  })
}
