output "url" {
  description = "Origin of the page (https://<distribution>.cloudfront.net, or the first alias)."
  value       = length(var.aliases) > 0 ? "https://${var.aliases[0]}" : "https://${aws_cloudfront_distribution.web.domain_name}"
}

output "bucket_name" {
  description = "Bucket holding the page."
  value       = aws_s3_bucket.web.bucket
}

output "distribution_id" {
  description = "CloudFront distribution id (for invalidations)."
  value       = aws_cloudfront_distribution.web.id
}
