# Staging in eu-west-1 (smaller, one NAT gateway, one RabbitMQ node), backups copied to eu-central-1.
# Apply order and the first-time steps: README "Deployment". `terraform output` gives the endpoints and role
# ARNs for helm/fitjourney/values-staging.yaml.
locals {
  region        = "eu-west-1"
  backup_region = "eu-central-1"
  tags = {
    project     = "fitjourney"
    environment = "staging"
    managed-by  = "terraform"
  }
}

provider "aws" {
  region = local.region
  default_tags {
    tags = local.tags
  }
}

provider "aws" {
  alias  = "backup_region"
  region = local.backup_region
  default_tags {
    tags = local.tags
  }
}

module "platform" {
  source = "../../modules/platform"
  providers = {
    aws               = aws
    aws.backup_region = aws.backup_region
  }
  environment        = "staging"
  region             = local.region
  backup_region      = local.backup_region
  azs                = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
  vpc_cidr           = "10.30.0.0/16"
  single_nat_gateway = true
  node_min_size      = 3
  node_max_size      = 6
  db_instance_class  = "db.t4g.medium"
  redis_node_type    = "cache.t4g.small"
  mq_cluster         = false
  read_replicas      = 2
  # Operators' and CI runners' addresses that may reach the Kubernetes API from outside the VPC.
  eks_public_access_cidrs = []
}
