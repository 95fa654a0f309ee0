# SimCLR on CIFAR-10 with a ResNet-18 (CIFAR stem), solo-learn's recipe
# (vturrisi/solo-learn scripts/pretrain/cifar/simclr.yaml, summarised with
# sources in shared notes anchors.md). Expected: about 90.7% linear top-1
# after 1000 epochs (solo-learn's table).
#
# The optimizer, schedule and evaluation blocks validate once the runner
# issue lands; until then `sslrun validate` reports them as unknown component
# types (and `sslrun views` refuses the file).

variable "data_dir" {
  default     = "../../shared/datasets/cifar10"
  description = "CIFAR-10 as train/<class>/*.jpg and test/<class>/*.jpg"
}
variable "seed" { default = 0 }
variable "epochs" { default = 1000 }
variable "batch_size" { default = 256 }

experiment "simclr_cifar10" {
  seed        = var.seed
  description = "SimCLR, ResNet-18 with CIFAR stem (solo-learn recipe)"
}

dataset "image_folder" "train" {
  path       = "${var.data_dir}/train"
  image_size = 32
}
dataset "image_folder" "test" {
  path       = "${var.data_dir}/test"
  image_size = 32
}

view "global" {
  count = 2
  augment "random_resized_crop" {
    size  = 32
    scale = [0.08, 1.0]
  }
  augment "color_jitter" {
    p          = 0.8
    brightness = 0.8
    contrast   = 0.8
    saturation = 0.8
    hue        = 0.2
  }
  augment "grayscale" { p = 0.2 }
  augment "gaussian_blur" {
    p     = 0.5
    sigma = [0.1, 2.0]
  }
  augment "horizontal_flip" { p = 0.5 }
  augment "normalize" {
    mean = [0.4914, 0.4822, 0.4465]
    std  = [0.2470, 0.2435, 0.2616]
  }
}

backbone "resnet18" { stem = "cifar" }
head "projection_mlp" "proj" {
  hidden_dim = 2048
  output_dim = 256
}
objective "nt_xent" { temperature = 0.2 }
optimizer "lars" {
  lr           = 0.4
  momentum     = 0.9
  weight_decay = 1e-4
  eta          = 0.02
}
schedule "warmup_cosine" { warmup_epochs = 10 }

train {
  epochs     = var.epochs
  batch_size = var.batch_size
}

evaluate "linear" {}
evaluate "knn" {
  k           = 200
  temperature = 0.1
}
