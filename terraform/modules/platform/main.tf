# The whole platform of one environment: network -> eks -> rds, redis, mq, s3 -> iam, and the KMS key of the
# log groups. envs/<env> call it with their sizes; `terraform output` there gives the chart's values.
locals {
  name = "fitjourney-${var.environment}"
  tags = {
    project     = "fitjourney"
    environment = var.environment
    managed-by  = "terraform"
  }
}

# Encrypts the CloudWatch log groups (VPC flow logs, Redis logs).
module "logs_kms" {
  source             = "../kms"
  name               = "${local.name}-logs"
  description        = "${local.name} CloudWatch logs"
  service_principals = ["logs.${var.region}.amazonaws.com"]
  tags               = local.tags
}

module "network" {
  source             = "../network"
  name               = local.name
  cidr               = var.vpc_cidr
  azs                = var.azs
  single_nat_gateway = var.single_nat_gateway
  logs_kms_key_arn   = module.logs_kms.arn
  tags               = local.tags
}

module "eks" {
  source              = "../eks"
  name                = local.name
  vpc_id              = module.network.vpc_id
  private_subnet_ids  = module.network.private_subnet_ids
  public_access_cidrs = var.eks_public_access_cidrs
  node_instance_types = var.node_instance_types
  node_min_size       = var.node_min_size
  node_max_size       = var.node_max_size
  tags                = local.tags
}

module "rds" {
  source = "../rds"
  providers = {
    aws               = aws
    aws.backup_region = aws.backup_region
  }
  name                       = local.name
  vpc_id                     = module.network.vpc_id
  db_subnet_group_name       = module.network.database_subnet_group_name
  client_security_group_id   = module.eks.node_security_group_id
  instance_class             = var.db_instance_class
  replica_instance_class     = var.db_instance_class
  read_replicas              = var.read_replicas
  replica_availability_zones = module.network.azs
  tags                       = local.tags
}

module "redis" {
  source                   = "../redis"
  name                     = local.name
  vpc_id                   = module.network.vpc_id
  subnet_ids               = module.network.database_subnet_ids
  client_security_group_id = module.eks.node_security_group_id
  node_type                = var.redis_node_type
  logs_kms_key_arn         = module.logs_kms.arn
  tags                     = local.tags
}

module "mq" {
  source                   = "../mq"
  name                     = local.name
  vpc_id                   = module.network.vpc_id
  subnet_ids               = module.network.database_subnet_ids
  client_security_group_id = module.eks.node_security_group_id
  instance_type            = var.mq_instance_type
  cluster                  = var.mq_cluster
  tags                     = local.tags
}

module "s3" {
  source = "../s3"
  name   = local.name
  tags   = local.tags
}

module "iam" {
  source            = "../iam"
  name              = local.name
  oidc_provider_arn = module.eks.oidc_provider_arn
  oidc_provider     = module.eks.oidc_provider
  data_bucket_arn   = module.s3.data_bucket_arn
  backup_bucket_arn = module.s3.backup_bucket_arn
  s3_kms_key_arn    = module.s3.kms_key_arn
  tags              = local.tags
}
