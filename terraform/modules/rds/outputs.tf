output "endpoint" {
  value = aws_db_instance.primary.address
}

output "replica_endpoints" {
  value = aws_db_instance.replica[*].address
}

output "master_user_secret_arn" {
  value = aws_db_instance.primary.master_user_secret[0].secret_arn
}

output "kms_key_arn" {
  value = module.kms.arn
}
