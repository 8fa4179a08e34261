output "name" {
  description = "Table name."
  value       = aws_dynamodb_table.this.name
}

output "arn" {
  description = "Table ARN."
  value       = aws_dynamodb_table.this.arn
}

output "tags" {
  description = "Tags set on the table by this module (the provider's default tags come on top)."
  value       = aws_dynamodb_table.this.tags
}
