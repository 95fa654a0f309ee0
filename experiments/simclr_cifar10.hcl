# SimCLR on CIFAR-10 with a ResNet-18 (CIFAR stem: 3x3 conv, stride 1, no
# max-pool), solo-learn's recipe (vturrisi/solo-learn
# scripts/pretrain/cifar/simclr.yaml; every value below is in the shared
# notes' anchors.md with its source):
#   views        2 x 32, crop scale (0.08, 1), colour jitter 0.8/0.8/0.8/0.2
#                with p 0.8, grayscale p 0.2, blur p 0.5 sigma (0.1, 2), flip
#   projection   512 -> 2048 (BN, ReLU) -> 256; NT-Xent temperature 0.2
#   optimizer    LARS, lr 0.4 x batch/256, eta 0.02, clipping, weight decay
#                1e-4, biases and batch norm excluded; momentum 0.9
#   schedule     10 warmup epochs, then cosine to 0; 1000 epochs, batch 256
# Expected: 90.74% linear top-1 after 1000 epochs (solo-learn's table); kNN
# (k 200) about 88% (lightly reports 87.9% after 800 epochs at batch 512).
# On this project's 2-core CPU a ResNet-18 trains on about 7 images/s
# (README, "Speed and memory"; 0.7x PyTorch's), so 1000 epochs are for
# machines with time; simclr_cifar10_cpu.hcl is the same recipe on a CPU
# budget.
#
#   go run ./cmd/sslrun run experiments/simclr_cifar10.hcl --var data_dir=/path/to/cifar10

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

evaluate "linear" { baseline = true }
evaluate "knn" {
  k           = 200
  temperature = 0.1
  baseline    = true
}
