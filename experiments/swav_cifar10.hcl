# SwAV on CIFAR-10 with a ResNet-18 (CIFAR stem), solo-learn's recipe
# (vturrisi/solo-learn scripts/pretrain/cifar/swav.yaml; values and sources
# in the shared notes' anchors.md):
#   views        2 x 32 with SimCLR's augmentations (crop scale (0.08, 1))
#   projection   512 -> 2048 (BN, ReLU) -> 128, then 3000 prototypes
#   objective    swapped prediction, temperature 0.1, Sinkhorn epsilon 0.05
#                with 3 iterations, codes from both views; a queue of 3840
#                embeddings from epoch 50; prototypes frozen for 2 epochs
#   optimizer    LARS, lr 0.6 x batch/256, eta 0.02, clipping, weight decay
#                1e-6, biases and batch norm excluded; momentum 0.9
#   schedule     10 warmup epochs, then cosine to 0; 1000 epochs, batch 256
# Expected: 89.17% linear top-1 after 1000 epochs (solo-learn's table). A
# loss stuck at ln(3000) = 8.006 means collapse (README, troubleshooting).
#
#   go run ./cmd/sslrun run experiments/swav_cifar10.hcl --var data_dir=/path/to/cifar10

variable "data_dir" {
  default     = "../../shared/datasets/cifar10"
  description = "CIFAR-10 as train/<class>/*.jpg and test/<class>/*.jpg"
}
variable "seed" { default = 0 }
variable "epochs" { default = 1000 }
variable "batch_size" { default = 256 }

experiment "swav_cifar10" {
  seed        = var.seed
  description = "SwAV, ResNet-18 with CIFAR stem (solo-learn recipe)"
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
