# In front of cells (docs/cells.md): the cells' API URLs and where the pods read the directory.
# terraform/edge links this file (its variables_cells.tf), so the root takes each one as declared here.

variable "cells" {
  description = "In front of cells (docs/cells.md): each cell's name and API Gateway stage URL (https://<id>.execute-api.<region>.amazonaws.com/<stage>, upstream_url's stage path). nginx then routes each customer to its cell by the directory (cells.map and tenants.map, kept by the pods' directory sync: directory_role_arn). Empty: one API, upstream_url."
  type        = map(object({ api_url = string }))
  default     = {}

  validation {
    condition     = alltrue([for name, cell in var.cells : can(regex("^[a-z0-9][a-z0-9-]{0,30}$", name)) && can(regex("^https://[A-Za-z0-9.-]+(/[A-Za-z0-9_-]+)*/?$", cell.api_url))])
    error_message = "cells must map names of 1-31 a-z, 0-9 and '-' (starting with a letter or digit) to { api_url = https://<host>/<stage> }."
  }
}

variable "directory_role_arn" {
  description = "With cells: the control account's directory read role (terraform/control's directory_read_role_arn) the pods' directory sync assumes (RESERVATIONS_DIRECTORY_ROLE_ARN); null reads the directory with the pods' own role."
  type        = string
  default     = null

  validation {
    condition     = var.directory_role_arn == null || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]+$", coalesce(var.directory_role_arn, "x")))
    error_message = "directory_role_arn must be an IAM role ARN."
  }
}

variable "directory_region" {
  description = "With cells: the directory's region (the control account's); null: region."
  type        = string
  default     = null

  validation {
    condition     = var.directory_region == null || can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", coalesce(var.directory_region, "x")))
    error_message = "directory_region must be an AWS region such as us-east-1."
  }
}

variable "directory_table_prefix" {
  description = "With cells: the directory's table prefix (terraform/control's table_prefix): the table is <prefix>reservations-directory."
  type        = string
  default     = ""

  validation {
    condition     = can(regex("^([A-Za-z0-9_-]{0,39}_)?$", var.directory_table_prefix))
    error_message = "directory_table_prefix must be empty or end with '_'."
  }
}
