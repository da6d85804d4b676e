# Remote state: an encrypted, versioned S3 bucket with a lock file (made once by an operator, see README).
terraform {
  backend "s3" {
    bucket       = "fitjourney-terraform-state"
    key          = "production/terraform.tfstate"
    region       = "eu-west-1"
    encrypt      = true
    use_lockfile = true
  }
}
