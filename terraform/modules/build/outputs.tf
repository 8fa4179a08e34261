output "artifacts_bucket_name" {
  description = "Bucket holding the function zips (ARTIFACTS_BUCKET)."
  value       = aws_s3_bucket.artifacts.bucket
}

output "artifacts_bucket_arn" {
  description = "ARN of the artifacts bucket."
  value       = aws_s3_bucket.artifacts.arn
}

output "project_name" {
  description = "CodeBuild project building the functions."
  value       = aws_codebuild_project.functions.name
}

output "log_group_arn" {
  description = "CodeBuild's log group ARN."
  value       = aws_cloudwatch_log_group.codebuild.arn
}
