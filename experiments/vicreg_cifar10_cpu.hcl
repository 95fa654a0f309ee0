# VICReg on CIFAR-10 on a CPU budget: solo-learn's CIFAR recipe
# (vicreg_cifar10.hcl) with a small backbone (convnet [16, 32, 64], 23k
# parameters) and 6 epochs instead of a ResNet-18 and 1000, so that pretraining and
# evaluation finish within 45 minutes on 2 cores. Everything else is the
# recipe's (views, loss weights, LARS, batch 256, warmup then cosine to 0)
# but the projector's width: three layers of 1024 instead of 2048, as the
# backbone gives 64 features instead of 512 and, as for
# barlow_twins_cifar10_cpu.hcl, 2048 would make a step about 3.5 times as
# slow (sslrun bench). The 10 warmup epochs of 1000 scale to 1 of 6
# (rounded up): LARS at its peak rate from the first step is what the
# warmup prevents.
#
#   go run ./cmd/sslrun run experiments/vicreg_cifar10_cpu.hcl
#
# Measured here (seed 0, all of CIFAR-10, 24 min 35 s on 2 cores shared
# with builds and tests): kNN top-1 51.17% and linear top-1 52.72% against
# 32.49% and 39.57% at initialisation; docs/results_cpu.md.
#
# Both evaluate blocks also score the raw pixels (pixels = true), which the
# figures above predate: the same protocols give kNN top-1 40.87% and linear
# top-1 39.03% on CIFAR-10's pixels, and take about 7 minutes more (kNN
# 50-99 s, the linear probe 5 min 31 s; docs/speed.md, "Evaluation").

variable "data_dir" {
  default     = "../../shared/datasets/cifar10"
  description = "CIFAR-10 as train/<class>/*.jpg and test/<class>/*.jpg"
}
variable "seed" { default = 0 }
variable "epochs" { default = 6 }
variable "batch_size" { default = 256 }

experiment "vicreg_cifar10_cpu" {
  seed        = var.seed
  description = "VICReg on CIFAR-10, small convnet, 6 epochs (CPU budget of solo-learn's recipe)"
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
    scale = [0.2, 1.0]
  }
  augment "color_jitter" {
    p          = 0.8
    brightness = 0.4
    contrast   = 0.4
    saturation = 0.2
    hue        = 0.1
  }
  augment "grayscale" { p = 0.2 }
  augment "solarize" {
    p         = 0.1
    threshold = 128 / 255
  }
  augment "horizontal_flip" { p = 0.5 }
  augment "normalize" {
    mean = [0.4914, 0.4822, 0.4465]
    std  = [0.2470, 0.2435, 0.2616]
  }
}

backbone "convnet" { channels = [16, 32, 64] }
head "projection_mlp" "proj" {
  layers     = 3
  hidden_dim = 1024
  output_dim = 1024
}
objective "vicreg" {
  sim_loss_weight = 25
  var_loss_weight = 25
  cov_loss_weight = 1
}
optimizer "lars" {
  lr           = 0.3
  momentum     = 0.9
  weight_decay = 1e-4
  eta          = 0.02
}
schedule "warmup_cosine" { warmup_epochs = 1 }

train {
  epochs     = var.epochs
  batch_size = var.batch_size
  log_every  = 20
  keep_every = var.epochs
}

evaluate "linear" {
  baseline = true
  pixels   = true
}
evaluate "knn" {
  k           = 200
  temperature = 0.1
  baseline    = true
  pixels      = true
}
