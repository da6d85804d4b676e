output "role_arns" {
  description = "service -> role ARN, for the chart's services.<name>.serviceAccount.roleArn"
  value       = { for name, role in aws_iam_role.service : name => role.arn }
}
