# Safe deploys: a CodeDeploy application for the functions and one deployment group per function.
# A deployment moves the function's `live` alias from the version it serves to the version Terraform
# just published, by canary (a share of the traffic first, then all of it), and moves it back on its
# own if one of the function's alarms fires meanwhile or the deployment fails or is stopped.

data "aws_partition" "current" {}

resource "aws_codedeploy_app" "this" {
  name             = "${var.name}-functions"
  compute_platform = "Lambda"
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["codedeploy.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "codedeploy" {
  name               = "${var.name}-codedeploy"
  description        = "CodeDeploy shifts the functions' live aliases"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

# AWS's managed policy for Lambda deployments, the limited one: read alarms, read and update aliases,
# invoke CodeDeployHook_* functions (no SNS, no S3 beyond CodeDeploy's own objects).
resource "aws_iam_role_policy_attachment" "codedeploy" {
  role       = aws_iam_role.codedeploy.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited"
}

resource "aws_codedeploy_deployment_group" "this" {
  for_each = var.functions

  app_name               = aws_codedeploy_app.this.name
  deployment_group_name  = each.key
  service_role_arn       = aws_iam_role.codedeploy.arn
  deployment_config_name = var.deployment_config_name

  deployment_style {
    deployment_type   = "BLUE_GREEN"
    deployment_option = "WITH_TRAFFIC_CONTROL"
  }

  alarm_configuration {
    enabled = true
    alarms  = each.value.alarm_names
  }

  auto_rollback_configuration {
    enabled = true
    events  = ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM", "DEPLOYMENT_STOP_ON_REQUEST"]
  }

  depends_on = [aws_iam_role_policy_attachment.codedeploy]
}

locals {
  # What `aws deploy create-deployment` needs to move each alias to the version Terraform published
  # (scripts/deploy-functions reads it from the root's function_deployments output).
  appspecs = {
    for fn, f in var.functions : fn => jsonencode({
      version = 0.0
      Resources = [{
        (f.function_name) = {
          Type = "AWS::Lambda::Function"
          Properties = {
            Name           = f.function_name
            Alias          = f.alias_name
            CurrentVersion = f.live_version
            TargetVersion  = f.target_version
          }
        }
      }]
    })
  }
}
