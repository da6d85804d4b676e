# Where the per-bucket resources stood before they became one resource per kind over local.buckets: an
# applied state moves to the new addresses instead of destroying and recreating them.
moved {
  from = aws_s3_bucket_ownership_controls.data
  to   = aws_s3_bucket_ownership_controls.bucket["data"]
}

moved {
  from = aws_s3_bucket_ownership_controls.backups
  to   = aws_s3_bucket_ownership_controls.bucket["backups"]
}

moved {
  from = aws_s3_bucket_ownership_controls.logs
  to   = aws_s3_bucket_ownership_controls.bucket["logs"]
}

moved {
  from = aws_s3_bucket_public_access_block.data
  to   = aws_s3_bucket_public_access_block.bucket["data"]
}

moved {
  from = aws_s3_bucket_public_access_block.backups
  to   = aws_s3_bucket_public_access_block.bucket["backups"]
}

moved {
  from = aws_s3_bucket_public_access_block.logs
  to   = aws_s3_bucket_public_access_block.bucket["logs"]
}

moved {
  from = aws_s3_bucket_versioning.data
  to   = aws_s3_bucket_versioning.bucket["data"]
}

moved {
  from = aws_s3_bucket_versioning.backups
  to   = aws_s3_bucket_versioning.bucket["backups"]
}

moved {
  from = aws_s3_bucket_versioning.logs
  to   = aws_s3_bucket_versioning.bucket["logs"]
}

moved {
  from = aws_s3_bucket_server_side_encryption_configuration.data
  to   = aws_s3_bucket_server_side_encryption_configuration.bucket["data"]
}

moved {
  from = aws_s3_bucket_server_side_encryption_configuration.backups
  to   = aws_s3_bucket_server_side_encryption_configuration.bucket["backups"]
}

moved {
  from = aws_s3_bucket_server_side_encryption_configuration.logs
  to   = aws_s3_bucket_server_side_encryption_configuration.bucket["logs"]
}

moved {
  from = aws_s3_bucket_logging.data
  to   = aws_s3_bucket_logging.bucket["data"]
}

moved {
  from = aws_s3_bucket_logging.backups
  to   = aws_s3_bucket_logging.bucket["backups"]
}

moved {
  from = aws_s3_bucket_policy.data
  to   = aws_s3_bucket_policy.bucket["data"]
}

moved {
  from = aws_s3_bucket_policy.backups
  to   = aws_s3_bucket_policy.bucket["backups"]
}

moved {
  from = aws_s3_bucket_policy.logs
  to   = aws_s3_bucket_policy.bucket["logs"]
}
