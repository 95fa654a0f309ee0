# Benchmark spec, not a recipe: swav_multicrop_cifar10.hcl's views, heads,
# objective and optimizer on the small convnet of the CPU-budget recipes, so
# that `sslrun bench` and scripts/bench_torch.py compare the multi-crop step
# on both backbones (README, "Speed and memory").
#
#   go run ./cmd/sslrun bench scripts/bench/swav_multicrop_convnet.hcl --batch 64

variable "data_dir" {
  default     = "../../../shared/datasets/cifar10"
  description = "CIFAR-10 as train/<class>/*.jpg and test/<class>/*.jpg"
}
variable "seed" { default = 0 }
variable "epochs" { default = 1000 }
variable "batch_size" { default = 256 }

experiment "bench_swav_multicrop_convnet" {
  seed        = var.seed
  description = "benchmark: SwAV 2x32 + 6x18 crops on the CPU convnet"
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
view "local" {
  count = 6
  augment "random_resized_crop" {
    size  = 18
    scale = [0.08, 0.5]
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

backbone "convnet" { channels = [16, 32, 64] }
head "projection_mlp" "proj" {
  hidden_dim = 2048
  output_dim = 128
}
head "prototypes" "prototypes" {
  count         = 3000
  freeze_epochs = 2
}
objective "swav" {
  temperature         = 0.1
  epsilon             = 0.05
  sinkhorn_iterations = 3
  crops_for_assign    = [0, 1]
  queue_length        = 3840
  queue_start_epoch   = 50
}
optimizer "lars" {
  lr           = 0.6
  momentum     = 0.9
  weight_decay = 1e-6
  eta          = 0.02
}
schedule "warmup_cosine" { warmup_epochs = 10 }

train {
  epochs     = var.epochs
  batch_size = var.batch_size
}

evaluate "linear" { baseline = true }
evaluate "knn" {
  k           = 200
  temperature = 0.1
  baseline    = true
}
