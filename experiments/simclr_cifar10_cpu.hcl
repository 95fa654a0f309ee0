# SimCLR on CIFAR-10 on a CPU budget: solo-learn's CIFAR recipe
# (simclr_cifar10.hcl) with a small backbone and 6 epochs instead of a
# ResNet-18 and 1000, so that pretraining and evaluation finish within 45
# minutes on 2 cores. Everything else is the recipe's: views, projection
# 2048 -> 256, NT-Xent at 0.2, LARS (lr 0.4 per 256, eta 0.02, clipping,
# weight decay 1e-4 without biases and batch norm), batch 256, warmup then
# cosine to 0. The 10 warmup epochs of 1000 scale to 1 of 6 (rounded up:
# LARS at its peak rate from the first step is what the warmup prevents).
#
# Backbone: convnet [16, 32, 64] (3x3 conv + batch norm + ReLU blocks, the
# last two with stride 2, global average pool; 23k parameters), about 260
# images/s for a training step here, against ResNet-18's 7.
#
#   go run ./cmd/sslrun run experiments/simclr_cifar10_cpu.hcl
#
# Expected (measured here, seed 0, all 50,000 train and 10,000 test images):
# kNN top-1 44.4% and linear top-1 47.8% (random init: 32.5% and 39.6%), in
# 21 minutes on 2 cores. The same recipe in PyTorch
# (scripts/cifar_cpu_torch.py): 44.6% and 48.0%. README, "Results".
#
# Both evaluate blocks also score the raw pixels (pixels = true), which the
# figures above predate. Measured on CIFAR-10's 50,000 x 10,000 images of
# 3,072 values with nice -n 19 on 2 cores shared with another job (upper
# bounds; docs/speed.md, "Evaluation"): kNN 50-99 s (top-1 40.87%), the
# linear probe 5 min 31 s (top-1 39.03%), so the 21 minutes above become
# about 28.

variable "data_dir" {
  default     = "../../shared/datasets/cifar10"
  description = "CIFAR-10 as train/<class>/*.jpg and test/<class>/*.jpg"
}
variable "seed" { default = 0 }
variable "epochs" { default = 6 }
variable "batch_size" { default = 256 }

experiment "simclr_cifar10_cpu" {
  seed        = var.seed
  description = "SimCLR on CIFAR-10, small convnet, 6 epochs (CPU budget of solo-learn's recipe)"
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

backbone "convnet" { channels = [16, 32, 64] }
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
schedule "warmup_cosine" { warmup_epochs = 1 }

train {
  epochs     = var.epochs
  batch_size = var.batch_size
  log_every  = 20
  # Keeps the initialisation (step 0) and the end as numbered checkpoints:
  # scripts/cifar_cpu_torch.py --init starts PyTorch from the former.
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
