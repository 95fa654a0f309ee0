# Resolved by TestPrintGolden; the golden output is data_and_views.json.
variable "data_dir" {
  default     = "data"
  description = "folder holding train/ and test/"
}
variable "crop" { default = 32 }

locals {
  small  = floor(local.crop * 9 / 16)
  crop   = var.crop
  jitter = 0.8
}

experiment "demo" {
  seed        = 7
  description = format("crops of %d and %d", local.crop, local.small)
}

dataset "image_folder" "train" { path = "${var.data_dir}/train" }

view "global" {
  count = 2
  augment "random_resized_crop" { size = local.crop }
  augment "color_jitter" {
    p          = 0.8
    brightness = local.jitter
    contrast   = local.jitter
    saturation = local.jitter
    hue        = 0.2
  }
  augment "normalize" {
    mean = [0.4914, 0.4822, 0.4465]
    std  = [0.2470, 0.2435, 0.2616]
  }
}

view "local" {
  count = 6
  augment "random_resized_crop" {
    size  = local.small
    scale = [0.08, 0.5]
  }
}

train {
  epochs     = 10
  batch_size = 64
}
