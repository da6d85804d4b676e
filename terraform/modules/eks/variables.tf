variable "name" {
  description = "Cluster name"
  type        = string
}

variable "kubernetes_version" {
  description = "EKS Kubernetes version"
  type        = string
  default     = "1.31"
}

variable "vpc_id" {
  description = "VPC of the cluster"
  type        = string
}

variable "private_subnet_ids" {
  description = "Subnets of the nodes (three zones)"
  type        = list(string)
}

variable "public_access_cidrs" {
  description = "Addresses allowed to reach the API from outside the VPC (operators, CI); empty = private only"
  type        = list(string)
  default     = []
}

variable "node_instance_types" {
  description = "Instance types of the general node group"
  type        = list(string)
  default     = ["m6i.large"]
}

variable "node_min_size" {
  description = "Fewest nodes (at least one per zone)"
  type        = number
  default     = 3
}

variable "node_max_size" {
  description = "Most nodes"
  type        = number
  default     = 9
}

variable "tags" {
  description = "Tags on every resource"
  type        = map(string)
  default     = {}
}
