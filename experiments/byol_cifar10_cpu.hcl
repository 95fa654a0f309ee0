# BYOL on CIFAR-10 on a CPU budget: solo-learn's CIFAR recipe
# (byol_cifar10.hcl) with a small backbone (convnet [16, 32, 64], 23k
# parameters) and 6 epochs instead of a ResNet-18 and 1000, so that pretraining and
# evaluation finish within 45 minutes on 2 cores. Everything else is the
# recipe's: the two asymmetric views, projector 4096 -> 256, predictor
# 4096 -> 256, the teacher's momentum from 0.99 to 1.0 over the run, LARS
# (lr 1.0 per 256, eta 0.02, clipping, weight decay 1e-5 without biases and
# batch norm), batch 256, warmup then cosine to 0. The 10 warmup epochs of
# 1000 scale to 1 of 6 (rounded up): LARS at its peak rate from the first
# step is what the warmup prevents.
#
#   go run ./cmd/sslrun run experiments/byol_cifar10_cpu.hcl
#
# Expected (measured here, seed 0, all 50,000 train and 10,000 test images):
# kNN top-1 42.12% and linear top-1 45.51% (random init: 32.49% and 39.57%),
# in 43 min 7 s on 2 cores while builds and tests shared them.
# docs/results_cpu.md. (A run before f4450cd, whose teacher was the online
# network itself, reached 37.8% and 42.3%.)
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

experiment "byol_cifar10_cpu" {
  seed        = var.seed
  description = "BYOL on CIFAR-10, small convnet, 6 epochs (CPU budget of solo-learn's recipe)"
}

dataset "image_folder" "train" {
  path       = "${var.data_dir}/train"
  image_size = 32
}
dataset "image_folder" "test" {
  path       = "${var.data_dir}/test"
  image_size = 32
}

# asymmetric.yaml: the two views differ only in solarization (p 0 and 0.2),
# in solo-learn's order: crop, jitter, grayscale, solarize, flip, normalize.
view "first" {
  count = 1
  augment "random_resized_crop" {
    size  = 32
    scale = [0.08, 1.0]
  }
  augment "color_jitter" {
    p          = 0.8
    brightness = 0.4
    contrast   = 0.4
    saturation = 0.2
    hue        = 0.1
  }
  augment "grayscale" { p = 0.2 }
  augment "horizontal_flip" { p = 0.5 }
  augment "normalize" {
    mean = [0.4914, 0.4822, 0.4465]
    std  = [0.2470, 0.2435, 0.2616]
  }
}
view "second" {
  count = 1
  augment "random_resized_crop" {
    size  = 32
    scale = [0.08, 1.0]
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
    p         = 0.2
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
  hidden_dim = 4096
  output_dim = 256
}
# The last head is the predictor, which the teacher does not copy.
head "projection_mlp" "pred" {
  hidden_dim = 4096
  output_dim = 256
}
objective "byol" {
  momentum       = 0.99
  final_momentum = 1.0
}
optimizer "lars" {
  lr           = 1.0
  momentum     = 0.9
  weight_decay = 1e-5
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
