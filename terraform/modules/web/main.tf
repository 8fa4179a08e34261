# The static page: a private bucket readable only by this CloudFront distribution (origin access
# control, SigV4), security headers matching the nginx edge's, and config.json naming the API.

data "aws_caller_identity" "current" {}

locals {
  content_types = {
    html = "text/html; charset=utf-8"
    js   = "text/javascript; charset=utf-8"
    css  = "text/css; charset=utf-8"
    json = "application/json"
    svg  = "image/svg+xml"
    png  = "image/png"
    ico  = "image/x-icon"
    txt  = "text/plain; charset=utf-8"
    webp = "image/webp"
  }
  files = { for f in fileset(var.source_dir, "**") : f => f if f != "config.json" }
}

resource "aws_s3_bucket" "web" {
  #checkov:skip=CKV_AWS_144:The page is rebuilt from the repository on every apply; a replica adds cost without protecting anything.
  #checkov:skip=CKV_AWS_18:Reads go through CloudFront only; the bucket has no other reader whose access would need logging.
  #checkov:skip=CKV2_AWS_62:Nothing reacts to uploads of the page; terraform apply deploys it.
  #checkov:skip=CKV_AWS_145:The page is public content served to anyone; SSE-S3 encrypts it at rest and lets CloudFront's origin access control read it without a KMS grant.
  bucket = "${var.name}-web-${data.aws_caller_identity.current.account_id}"
}

resource "aws_s3_bucket_public_access_block" "web" {
  bucket                  = aws_s3_bucket.web.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "web" {
  bucket = aws_s3_bucket.web.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_versioning" "web" {
  bucket = aws_s3_bucket.web.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "web" {
  bucket = aws_s3_bucket.web.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "web" {
  bucket = aws_s3_bucket.web.id

  rule {
    id     = "expire-old-versions"
    status = "Enabled"
    filter {}

    noncurrent_version_expiration {
      noncurrent_days = 30
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }

  depends_on = [aws_s3_bucket_versioning.web]
}

resource "aws_s3_object" "page" {
  for_each = local.files

  bucket        = aws_s3_bucket.web.id
  key           = each.key
  source        = "${var.source_dir}/${each.key}"
  etag          = filemd5("${var.source_dir}/${each.key}")
  content_type  = lookup(local.content_types, lower(element(split(".", each.key), length(split(".", each.key)) - 1)), "application/octet-stream")
  cache_control = each.key == "index.html" ? "no-cache" : "public, max-age=300"
}

resource "aws_s3_object" "config" {
  bucket        = aws_s3_bucket.web.id
  key           = "config.json"
  content       = jsonencode({ api_base_url = var.api_base_url })
  content_type  = "application/json"
  cache_control = "no-cache"
}

resource "aws_cloudfront_origin_access_control" "web" {
  name                              = "${var.name}-web"
  description                       = "CloudFront reads the page bucket with SigV4"
  origin_access_control_origin_type = "s3"
  signing_behavior                  = "always"
  signing_protocol                  = "sigv4"
}

resource "aws_cloudfront_response_headers_policy" "web" {
  name = "${var.name}-web-security"

  security_headers_config {
    content_security_policy {
      content_security_policy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' ${var.api_origin}; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
      override                = true
    }
    content_type_options {
      override = true
    }
    frame_options {
      frame_option = "DENY"
      override     = true
    }
    referrer_policy {
      referrer_policy = "no-referrer"
      override        = true
    }
    strict_transport_security {
      access_control_max_age_sec = 31536000
      include_subdomains         = true
      preload                    = true
      override                   = true
    }
  }
}

resource "aws_cloudfront_distribution" "web" {
  #checkov:skip=CKV_AWS_68:A WAF for CloudFront must live in us-east-1 and would filter requests for public static files; the API, where the data is, has its own WAF.
  #checkov:skip=CKV2_AWS_47:See CKV_AWS_68: the static page runs no server-side code a Log4j payload could reach.
  #checkov:skip=CKV_AWS_86:Access logs of a public static page record nothing the API's access log does not; enable standard logging per deployment if needed.
  #checkov:skip=CKV_AWS_310:There is one origin (the bucket); a failover origin would be a second copy of the same files.
  #checkov:skip=CKV_AWS_174:TLS 1.2 is enforced whenever a custom certificate is given (acm_certificate_arn); the default cloudfront.net certificate cannot set a minimum protocol.
  #checkov:skip=CKV_AWS_374:Hotels and their guests are everywhere; the page holds no data (the API behind it authenticates every request).
  #checkov:skip=CKV2_AWS_42:A custom certificate is optional (acm_certificate_arn, aliases); the default cloudfront.net certificate is valid HTTPS.
  enabled             = true
  comment             = "${var.name} web page"
  default_root_object = "index.html"
  price_class         = var.price_class
  aliases             = var.aliases
  http_version        = "http2and3"
  is_ipv6_enabled     = true

  origin {
    origin_id                = "page"
    domain_name              = aws_s3_bucket.web.bucket_regional_domain_name
    origin_access_control_id = aws_cloudfront_origin_access_control.web.id
  }

  default_cache_behavior {
    target_origin_id           = "page"
    viewer_protocol_policy     = "redirect-to-https"
    allowed_methods            = ["GET", "HEAD"]
    cached_methods             = ["GET", "HEAD"]
    compress                   = true
    cache_policy_id            = "658327ea-f89d-4fab-a63d-7e88639e58f6" # AWS managed CachingOptimized
    response_headers_policy_id = aws_cloudfront_response_headers_policy.web.id
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  viewer_certificate {
    cloudfront_default_certificate = var.acm_certificate_arn == null
    acm_certificate_arn            = var.acm_certificate_arn
    ssl_support_method             = var.acm_certificate_arn == null ? null : "sni-only"
    minimum_protocol_version       = var.acm_certificate_arn == null ? "TLSv1" : "TLSv1.2_2021"
  }
}

data "aws_iam_policy_document" "web" {
  statement {
    sid       = "CloudFrontReadsThePage"
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.web.arn}/*"]
    principals {
      type        = "Service"
      identifiers = ["cloudfront.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "AWS:SourceArn"
      values   = [aws_cloudfront_distribution.web.arn]
    }
  }

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.web.arn, "${aws_s3_bucket.web.arn}/*"]
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

resource "aws_s3_bucket_policy" "web" {
  bucket = aws_s3_bucket.web.id
  policy = data.aws_iam_policy_document.web.json

  depends_on = [aws_s3_bucket_public_access_block.web]
}
