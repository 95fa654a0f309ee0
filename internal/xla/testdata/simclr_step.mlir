module @simclr_step {
  func.func @main(%view0: tensor<2x3x8x8xf32>, %view1: tensor<2x3x8x8xf32>, %conv0_weight: tensor<4x3x3x3xf32>, %bn0_weight: tensor<4xf32>, %bn0_bias: tensor<4xf32>, %proj_0_weight: tensor<8x4xf32>, %proj_0_bias: tensor<8xf32>, %proj_1_weight: tensor<8xf32>, %proj_1_bias: tensor<8xf32>, %proj_3_weight: tensor<4x8xf32>, %proj_3_bias: tensor<4xf32>, %batchnorm0_mean: tensor<4xf32>, %batchnorm0_var: tensor<4xf32>, %batchnorm0_tracked: tensor<i64>, %batchnorm1_mean: tensor<8xf32>, %batchnorm1_var: tensor<8xf32>, %batchnorm1_tracked: tensor<i64>) -> (tensor<f32>, tensor<4x3x3x3xf32>, tensor<4xf32>, tensor<4xf32>, tensor<8x4xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<4x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<i64>, tensor<8xf32>, tensor<8xf32>, tensor<i64>) {
    %0 = "stablehlo.concatenate"(%view0, %view1) { dimension = 0 : i64 } : (tensor<2x3x8x8xf32>, tensor<2x3x8x8xf32>) -> tensor<4x3x8x8xf32>
    %1 = "stablehlo.convolution"(%0, %conv0_weight) {
      batch_group_count = 1 : i64,
      dimension_numbers = #stablehlo.conv<[b, f, 0, 1]x[o, i, 0, 1]->[b, f, 0, 1]>,
      feature_group_count = 1 : i64,
      lhs_dilation = array<i64: 1, 1>,
      padding = dense<[[1, 1], [1, 1]]> : tensor<2x2xi64>,
      precision_config = [#stablehlo<precision DEFAULT>, #stablehlo<precision DEFAULT>],
      rhs_dilation = array<i64: 1, 1>,
      window_reversal = array<i1: false, false>,
      window_strides = array<i64: 1, 1>
    } : (tensor<4x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<4x4x8x8xf32>
    %2 = "stablehlo.slice"(%1) {
      limit_indices = array<i64: 1, 4, 1, 1>,
      start_indices = array<i64: 0, 0, 0, 0>,
      strides = array<i64: 1, 1, 1, 1>
    } : (tensor<4x4x8x8xf32>) -> tensor<1x4x1x1xf32>
    %3 = "stablehlo.reshape"(%2) : (tensor<1x4x1x1xf32>) -> tensor<4xf32>
    %4 = "stablehlo.constant"() { value = dense<256.0> : tensor<f64> } : () -> tensor<f64>
    %5 = "stablehlo.broadcast_in_dim"(%4) { broadcast_dimensions = array<i64> } : (tensor<f64>) -> tensor<4xf64>
    %6 = "stablehlo.convert"(%1) : (tensor<4x4x8x8xf32>) -> tensor<4x4x8x8xf64>
    %7 = "stablehlo.convert"(%3) : (tensor<4xf32>) -> tensor<4xf64>
    %8 = "stablehlo.broadcast_in_dim"(%7) { broadcast_dimensions = array<i64: 1> } : (tensor<4xf64>) -> tensor<4x4x8x8xf64>
    %9 = "stablehlo.subtract"(%6, %8) : (tensor<4x4x8x8xf64>, tensor<4x4x8x8xf64>) -> tensor<4x4x8x8xf64>
    %11 = "stablehlo.constant"() { value = dense<0.0> : tensor<f64> } : () -> tensor<f64>
    %12 = "stablehlo.reduce"(%9, %11) ({
      ^reductionFn(%arg0: tensor<f64>, %arg1: tensor<f64>) :
          %10 = "stablehlo.add"(%arg0, %arg1) : (tensor<f64>, tensor<f64>) -> tensor<f64>
          "stablehlo.return"(%10) : (tensor<f64>) -> ()
    }) { dimensions = array<i64: 0, 2, 3> } : (tensor<4x4x8x8xf64>, tensor<f64>) -> tensor<4xf64>
    %13 = "stablehlo.divide"(%12, %5) : (tensor<4xf64>, tensor<4xf64>) -> tensor<4xf64>
    %14 = "stablehlo.convert"(%1) : (tensor<4x4x8x8xf32>) -> tensor<4x4x8x8xf64>
    %15 = "stablehlo.convert"(%3) : (tensor<4xf32>) -> tensor<4xf64>
    %16 = "stablehlo.broadcast_in_dim"(%15) { broadcast_dimensions = array<i64: 1> } : (tensor<4xf64>) -> tensor<4x4x8x8xf64>
    %17 = "stablehlo.subtract"(%14, %16) : (tensor<4x4x8x8xf64>, tensor<4x4x8x8xf64>) -> tensor<4x4x8x8xf64>
    %18 = "stablehlo.broadcast_in_dim"(%13) { broadcast_dimensions = array<i64: 1> } : (tensor<4xf64>) -> tensor<4x4x8x8xf64>
    %19 = "stablehlo.subtract"(%17, %18) : (tensor<4x4x8x8xf64>, tensor<4x4x8x8xf64>) -> tensor<4x4x8x8xf64>
    %20 = "stablehlo.multiply"(%19, %19) : (tensor<4x4x8x8xf64>, tensor<4x4x8x8xf64>) -> tensor<4x4x8x8xf64>
    %22 = "stablehlo.constant"() { value = dense<0.0> : tensor<f64> } : () -> tensor<f64>
    %23 = "stablehlo.reduce"(%20, %22) ({
      ^reductionFn(%arg2: tensor<f64>, %arg3: tensor<f64>) :
          %21 = "stablehlo.add"(%arg2, %arg3) : (tensor<f64>, tensor<f64>) -> tensor<f64>
          "stablehlo.return"(%21) : (tensor<f64>) -> ()
    }) { dimensions = array<i64: 0, 2, 3> } : (tensor<4x4x8x8xf64>, tensor<f64>) -> tensor<4xf64>
    %24 = "stablehlo.divide"(%23, %5) : (tensor<4xf64>, tensor<4xf64>) -> tensor<4xf64>
    %25 = "stablehlo.constant"() { value = dense<1.0> : tensor<f64> } : () -> tensor<f64>
    %26 = "stablehlo.broadcast_in_dim"(%25) { broadcast_dimensions = array<i64> } : (tensor<f64>) -> tensor<4xf64>
    %27 = "stablehlo.constant"() { value = dense<1.0e-05> : tensor<f64> } : () -> tensor<f64>
    %28 = "stablehlo.broadcast_in_dim"(%27) { broadcast_dimensions = array<i64> } : (tensor<f64>) -> tensor<4xf64>
    %29 = "stablehlo.add"(%24, %28) : (tensor<4xf64>, tensor<4xf64>) -> tensor<4xf64>
    %30 = "stablehlo.sqrt"(%29) : (tensor<4xf64>) -> tensor<4xf64>
    %31 = "stablehlo.divide"(%26, %30) : (tensor<4xf64>, tensor<4xf64>) -> tensor<4xf64>
    %32 = "stablehlo.constant"() { value = dense<0.9> : tensor<f64> } : () -> tensor<f64>
    %33 = "stablehlo.broadcast_in_dim"(%32) { broadcast_dimensions = array<i64> } : (tensor<f64>) -> tensor<4xf64>
    %34 = "stablehlo.constant"() { value = dense<0.1> : tensor<f64> } : () -> tensor<f64>
    %35 = "stablehlo.broadcast_in_dim"(%34) { broadcast_dimensions = array<i64> } : (tensor<f64>) -> tensor<4xf64>
    %36 = "stablehlo.convert"(%3) : (tensor<4xf32>) -> tensor<4xf64>
    %37 = "stablehlo.add"(%36, %13) : (tensor<4xf64>, tensor<4xf64>) -> tensor<4xf64>
    %38 = "stablehlo.constant"() { value = dense<1.003921568627451> : tensor<f64> } : () -> tensor<f64>
    %39 = "stablehlo.broadcast_in_dim"(%38) { broadcast_dimensions = array<i64> } : (tensor<f64>) -> tensor<4xf64>
    %40 = "stablehlo.multiply"(%24, %39) : (tensor<4xf64>, tensor<4xf64>) -> tensor<4xf64>
    %41 = "stablehlo.convert"(%batchnorm0_mean) : (tensor<4xf32>) -> tensor<4xf64>
    %42 = "stablehlo.multiply"(%33, %41) : (tensor<4xf64>, tensor<4xf64>) -> tensor<4xf64>
    %43 = "stablehlo.multiply"(%35, %37) : (tensor<4xf64>, tensor<4xf64>) -> tensor<4xf64>
    %44 = "stablehlo.add"(%42, %43) : (tensor<4xf64>, tensor<4xf64>) -> tensor<4xf64>
    %45 = "stablehlo.convert"(%44) : (tensor<4xf64>) -> tensor<4xf32>
    %46 = "stablehlo.convert"(%batchnorm0_var) : (tensor<4xf32>) -> tensor<4xf64>
    %47 = "stablehlo.multiply"(%33, %46) : (tensor<4xf64>, tensor<4xf64>) -> tensor<4xf64>
    %48 = "stablehlo.multiply"(%35, %40) : (tensor<4xf64>, tensor<4xf64>) -> tensor<4xf64>
    %49 = "stablehlo.add"(%47, %48) : (tensor<4xf64>, tensor<4xf64>) -> tensor<4xf64>
    %50 = "stablehlo.convert"(%49) : (tensor<4xf64>) -> tensor<4xf32>
    %51 = "stablehlo.constant"() { value = dense<1> : tensor<i64> } : () -> tensor<i64>
    %52 = "stablehlo.add"(%batchnorm0_tracked, %51) : (tensor<i64>, tensor<i64>) -> tensor<i64>
    %53 = "stablehlo.convert"(%31) : (tensor<4xf64>) -> tensor<4xf32>
    %54 = "stablehlo.multiply"(%53, %bn0_weight) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %55 = "stablehlo.broadcast_in_dim"(%54) { broadcast_dimensions = array<i64: 1> } : (tensor<4xf32>) -> tensor<4x4x8x8xf32>
    %56 = "stablehlo.broadcast_in_dim"(%3) { broadcast_dimensions = array<i64: 1> } : (tensor<4xf32>) -> tensor<4x4x8x8xf32>
    %57 = "stablehlo.subtract"(%1, %56) : (tensor<4x4x8x8xf32>, tensor<4x4x8x8xf32>) -> tensor<4x4x8x8xf32>
    %58 = "stablehlo.convert"(%13) : (tensor<4xf64>) -> tensor<4xf32>
    %59 = "stablehlo.broadcast_in_dim"(%58) { broadcast_dimensions = array<i64: 1> } : (tensor<4xf32>) -> tensor<4x4x8x8xf32>
    %60 = "stablehlo.subtract"(%57, %59) : (tensor<4x4x8x8xf32>, tensor<4x4x8x8xf32>) -> tensor<4x4x8x8xf32>
    %61 = "stablehlo.multiply"(%60, %55) : (tensor<4x4x8x8xf32>, tensor<4x4x8x8xf32>) -> tensor<4x4x8x8xf32>
    %62 = "stablehlo.broadcast_in_dim"(%bn0_bias) { broadcast_dimensions = array<i64: 1> } : (tensor<4xf32>) -> tensor<4x4x8x8xf32>
    %63 = "stablehlo.add"(%61, %62) : (tensor<4x4x8x8xf32>, tensor<4x4x8x8xf32>) -> tensor<4x4x8x8xf32>
    %64 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %65 = "stablehlo.broadcast_in_dim"(%64) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x4x8x8xf32>
    %66 = "stablehlo.maximum"(%63, %65) : (tensor<4x4x8x8xf32>, tensor<4x4x8x8xf32>) -> tensor<4x4x8x8xf32>
    %67 = "stablehlo.reshape"(%66) : (tensor<4x4x8x8xf32>) -> tensor<4x4x64xf32>
    %69 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %70 = "stablehlo.reduce"(%67, %69) ({
      ^reductionFn(%arg4: tensor<f32>, %arg5: tensor<f32>) :
          %68 = "stablehlo.add"(%arg4, %arg5) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%68) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 2> } : (tensor<4x4x64xf32>, tensor<f32>) -> tensor<4x4xf32>
    %71 = "stablehlo.reshape"(%70) : (tensor<4x4xf32>) -> tensor<4x4xf32>
    %72 = "stablehlo.constant"() { value = dense<64.0> : tensor<f32> } : () -> tensor<f32>
    %73 = "stablehlo.reshape"(%72) : (tensor<f32>) -> tensor<f32>
    %74 = "stablehlo.broadcast_in_dim"(%73) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x4xf32>
    %75 = "stablehlo.divide"(%71, %74) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %76 = "stablehlo.transpose"(%proj_0_weight) { permutation = array<i64: 1, 0> } : (tensor<8x4xf32>) -> tensor<4x8xf32>
    %77 = "stablehlo.dot_general"(%75, %76) {
      dot_dimension_numbers = #stablehlo.dot<
  lhs_batching_dimensions = [],
  rhs_batching_dimensions = [],
  lhs_contracting_dimensions = [1],
  rhs_contracting_dimensions = [0]
>,
      precision_config = [#stablehlo<precision DEFAULT>, #stablehlo<precision DEFAULT>]
    } : (tensor<4x4xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
    %78 = "stablehlo.reshape"(%proj_0_bias) : (tensor<8xf32>) -> tensor<1x8xf32>
    %79 = "stablehlo.constant"() { value = dense<4.0> : tensor<f32> } : () -> tensor<f32>
    %80 = "stablehlo.reshape"(%78) : (tensor<1x8xf32>) -> tensor<1x8xf32>
    %81 = "stablehlo.broadcast_in_dim"(%80) { broadcast_dimensions = array<i64: 0, 1> } : (tensor<1x8xf32>) -> tensor<4x8xf32>
    %82 = "stablehlo.add"(%77, %81) : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
    %83 = "stablehlo.slice"(%82) {
      limit_indices = array<i64: 1, 8>,
      start_indices = array<i64: 0, 0>,
      strides = array<i64: 1, 1>
    } : (tensor<4x8xf32>) -> tensor<1x8xf32>
    %84 = "stablehlo.reshape"(%83) : (tensor<1x8xf32>) -> tensor<8xf32>
    %85 = "stablehlo.constant"() { value = dense<4.0> : tensor<f64> } : () -> tensor<f64>
    %86 = "stablehlo.broadcast_in_dim"(%85) { broadcast_dimensions = array<i64> } : (tensor<f64>) -> tensor<8xf64>
    %87 = "stablehlo.convert"(%82) : (tensor<4x8xf32>) -> tensor<4x8xf64>
    %88 = "stablehlo.convert"(%84) : (tensor<8xf32>) -> tensor<8xf64>
    %89 = "stablehlo.broadcast_in_dim"(%88) { broadcast_dimensions = array<i64: 1> } : (tensor<8xf64>) -> tensor<4x8xf64>
    %90 = "stablehlo.subtract"(%87, %89) : (tensor<4x8xf64>, tensor<4x8xf64>) -> tensor<4x8xf64>
    %92 = "stablehlo.constant"() { value = dense<0.0> : tensor<f64> } : () -> tensor<f64>
    %93 = "stablehlo.reduce"(%90, %92) ({
      ^reductionFn(%arg6: tensor<f64>, %arg7: tensor<f64>) :
          %91 = "stablehlo.add"(%arg6, %arg7) : (tensor<f64>, tensor<f64>) -> tensor<f64>
          "stablehlo.return"(%91) : (tensor<f64>) -> ()
    }) { dimensions = array<i64: 0> } : (tensor<4x8xf64>, tensor<f64>) -> tensor<8xf64>
    %94 = "stablehlo.divide"(%93, %86) : (tensor<8xf64>, tensor<8xf64>) -> tensor<8xf64>
    %95 = "stablehlo.convert"(%82) : (tensor<4x8xf32>) -> tensor<4x8xf64>
    %96 = "stablehlo.convert"(%84) : (tensor<8xf32>) -> tensor<8xf64>
    %97 = "stablehlo.broadcast_in_dim"(%96) { broadcast_dimensions = array<i64: 1> } : (tensor<8xf64>) -> tensor<4x8xf64>
    %98 = "stablehlo.subtract"(%95, %97) : (tensor<4x8xf64>, tensor<4x8xf64>) -> tensor<4x8xf64>
    %99 = "stablehlo.broadcast_in_dim"(%94) { broadcast_dimensions = array<i64: 1> } : (tensor<8xf64>) -> tensor<4x8xf64>
    %100 = "stablehlo.subtract"(%98, %99) : (tensor<4x8xf64>, tensor<4x8xf64>) -> tensor<4x8xf64>
    %101 = "stablehlo.multiply"(%100, %100) : (tensor<4x8xf64>, tensor<4x8xf64>) -> tensor<4x8xf64>
    %103 = "stablehlo.constant"() { value = dense<0.0> : tensor<f64> } : () -> tensor<f64>
    %104 = "stablehlo.reduce"(%101, %103) ({
      ^reductionFn(%arg8: tensor<f64>, %arg9: tensor<f64>) :
          %102 = "stablehlo.add"(%arg8, %arg9) : (tensor<f64>, tensor<f64>) -> tensor<f64>
          "stablehlo.return"(%102) : (tensor<f64>) -> ()
    }) { dimensions = array<i64: 0> } : (tensor<4x8xf64>, tensor<f64>) -> tensor<8xf64>
    %105 = "stablehlo.divide"(%104, %86) : (tensor<8xf64>, tensor<8xf64>) -> tensor<8xf64>
    %106 = "stablehlo.constant"() { value = dense<1.0> : tensor<f64> } : () -> tensor<f64>
    %107 = "stablehlo.broadcast_in_dim"(%106) { broadcast_dimensions = array<i64> } : (tensor<f64>) -> tensor<8xf64>
    %108 = "stablehlo.constant"() { value = dense<1.0e-05> : tensor<f64> } : () -> tensor<f64>
    %109 = "stablehlo.broadcast_in_dim"(%108) { broadcast_dimensions = array<i64> } : (tensor<f64>) -> tensor<8xf64>
    %110 = "stablehlo.add"(%105, %109) : (tensor<8xf64>, tensor<8xf64>) -> tensor<8xf64>
    %111 = "stablehlo.sqrt"(%110) : (tensor<8xf64>) -> tensor<8xf64>
    %112 = "stablehlo.divide"(%107, %111) : (tensor<8xf64>, tensor<8xf64>) -> tensor<8xf64>
    %113 = "stablehlo.constant"() { value = dense<0.9> : tensor<f64> } : () -> tensor<f64>
    %114 = "stablehlo.broadcast_in_dim"(%113) { broadcast_dimensions = array<i64> } : (tensor<f64>) -> tensor<8xf64>
    %115 = "stablehlo.constant"() { value = dense<0.1> : tensor<f64> } : () -> tensor<f64>
    %116 = "stablehlo.broadcast_in_dim"(%115) { broadcast_dimensions = array<i64> } : (tensor<f64>) -> tensor<8xf64>
    %117 = "stablehlo.convert"(%84) : (tensor<8xf32>) -> tensor<8xf64>
    %118 = "stablehlo.add"(%117, %94) : (tensor<8xf64>, tensor<8xf64>) -> tensor<8xf64>
    %119 = "stablehlo.constant"() { value = dense<1.3333333333333333> : tensor<f64> } : () -> tensor<f64>
    %120 = "stablehlo.broadcast_in_dim"(%119) { broadcast_dimensions = array<i64> } : (tensor<f64>) -> tensor<8xf64>
    %121 = "stablehlo.multiply"(%105, %120) : (tensor<8xf64>, tensor<8xf64>) -> tensor<8xf64>
    %122 = "stablehlo.convert"(%batchnorm1_mean) : (tensor<8xf32>) -> tensor<8xf64>
    %123 = "stablehlo.multiply"(%114, %122) : (tensor<8xf64>, tensor<8xf64>) -> tensor<8xf64>
    %124 = "stablehlo.multiply"(%116, %118) : (tensor<8xf64>, tensor<8xf64>) -> tensor<8xf64>
    %125 = "stablehlo.add"(%123, %124) : (tensor<8xf64>, tensor<8xf64>) -> tensor<8xf64>
    %126 = "stablehlo.convert"(%125) : (tensor<8xf64>) -> tensor<8xf32>
    %127 = "stablehlo.convert"(%batchnorm1_var) : (tensor<8xf32>) -> tensor<8xf64>
    %128 = "stablehlo.multiply"(%114, %127) : (tensor<8xf64>, tensor<8xf64>) -> tensor<8xf64>
    %129 = "stablehlo.multiply"(%116, %121) : (tensor<8xf64>, tensor<8xf64>) -> tensor<8xf64>
    %130 = "stablehlo.add"(%128, %129) : (tensor<8xf64>, tensor<8xf64>) -> tensor<8xf64>
    %131 = "stablehlo.convert"(%130) : (tensor<8xf64>) -> tensor<8xf32>
    %132 = "stablehlo.constant"() { value = dense<1> : tensor<i64> } : () -> tensor<i64>
    %133 = "stablehlo.add"(%batchnorm1_tracked, %132) : (tensor<i64>, tensor<i64>) -> tensor<i64>
    %134 = "stablehlo.convert"(%112) : (tensor<8xf64>) -> tensor<8xf32>
    %135 = "stablehlo.multiply"(%134, %proj_1_weight) : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
    %136 = "stablehlo.broadcast_in_dim"(%135) { broadcast_dimensions = array<i64: 1> } : (tensor<8xf32>) -> tensor<4x8xf32>
    %137 = "stablehlo.broadcast_in_dim"(%84) { broadcast_dimensions = array<i64: 1> } : (tensor<8xf32>) -> tensor<4x8xf32>
    %138 = "stablehlo.subtract"(%82, %137) : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
    %139 = "stablehlo.convert"(%94) : (tensor<8xf64>) -> tensor<8xf32>
    %140 = "stablehlo.broadcast_in_dim"(%139) { broadcast_dimensions = array<i64: 1> } : (tensor<8xf32>) -> tensor<4x8xf32>
    %141 = "stablehlo.subtract"(%138, %140) : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
    %142 = "stablehlo.multiply"(%141, %136) : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
    %143 = "stablehlo.broadcast_in_dim"(%proj_1_bias) { broadcast_dimensions = array<i64: 1> } : (tensor<8xf32>) -> tensor<4x8xf32>
    %144 = "stablehlo.add"(%142, %143) : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
    %145 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %146 = "stablehlo.broadcast_in_dim"(%145) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x8xf32>
    %147 = "stablehlo.maximum"(%144, %146) : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
    %148 = "stablehlo.transpose"(%proj_3_weight) { permutation = array<i64: 1, 0> } : (tensor<4x8xf32>) -> tensor<8x4xf32>
    %149 = "stablehlo.dot_general"(%147, %148) {
      dot_dimension_numbers = #stablehlo.dot<
  lhs_batching_dimensions = [],
  rhs_batching_dimensions = [],
  lhs_contracting_dimensions = [1],
  rhs_contracting_dimensions = [0]
>,
      precision_config = [#stablehlo<precision DEFAULT>, #stablehlo<precision DEFAULT>]
    } : (tensor<4x8xf32>, tensor<8x4xf32>) -> tensor<4x4xf32>
    %150 = "stablehlo.reshape"(%proj_3_bias) : (tensor<4xf32>) -> tensor<1x4xf32>
    %151 = "stablehlo.constant"() { value = dense<4.0> : tensor<f32> } : () -> tensor<f32>
    %152 = "stablehlo.reshape"(%150) : (tensor<1x4xf32>) -> tensor<1x4xf32>
    %153 = "stablehlo.broadcast_in_dim"(%152) { broadcast_dimensions = array<i64: 0, 1> } : (tensor<1x4xf32>) -> tensor<4x4xf32>
    %154 = "stablehlo.add"(%149, %153) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %155 = "stablehlo.slice"(%154) {
      limit_indices = array<i64: 2, 4>,
      start_indices = array<i64: 0, 0>,
      strides = array<i64: 1, 1>
    } : (tensor<4x4xf32>) -> tensor<2x4xf32>
    %156 = "stablehlo.slice"(%154) {
      limit_indices = array<i64: 4, 4>,
      start_indices = array<i64: 2, 0>,
      strides = array<i64: 1, 1>
    } : (tensor<4x4xf32>) -> tensor<2x4xf32>
    %157 = "stablehlo.concatenate"(%155, %156) { dimension = 0 : i64 } : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<4x4xf32>
    %158 = "stablehlo.multiply"(%157, %157) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %160 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %161 = "stablehlo.reduce"(%158, %160) ({
      ^reductionFn(%arg10: tensor<f32>, %arg11: tensor<f32>) :
          %159 = "stablehlo.add"(%arg10, %arg11) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%159) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 1> } : (tensor<4x4xf32>, tensor<f32>) -> tensor<4xf32>
    %162 = "stablehlo.sqrt"(%161) : (tensor<4xf32>) -> tensor<4xf32>
    %163 = "stablehlo.constant"() { value = dense<9.999999960041972e-13> : tensor<f32> } : () -> tensor<f32>
    %164 = "stablehlo.broadcast_in_dim"(%163) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4xf32>
    %165 = "stablehlo.maximum"(%162, %164) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %166 = "stablehlo.broadcast_in_dim"(%165) { broadcast_dimensions = array<i64: 0> } : (tensor<4xf32>) -> tensor<4x4xf32>
    %167 = "stablehlo.divide"(%157, %166) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %168 = "stablehlo.transpose"(%167) { permutation = array<i64: 1, 0> } : (tensor<4x4xf32>) -> tensor<4x4xf32>
    %169 = "stablehlo.dot_general"(%167, %168) {
      dot_dimension_numbers = #stablehlo.dot<
  lhs_batching_dimensions = [],
  rhs_batching_dimensions = [],
  lhs_contracting_dimensions = [1],
  rhs_contracting_dimensions = [0]
>,
      precision_config = [#stablehlo<precision DEFAULT>, #stablehlo<precision DEFAULT>]
    } : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %170 = "stablehlo.constant"() { value = dense<5.0> : tensor<f32> } : () -> tensor<f32>
    %171 = "stablehlo.reshape"(%170) : (tensor<f32>) -> tensor<f32>
    %172 = "stablehlo.broadcast_in_dim"(%171) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x4xf32>
    %173 = "stablehlo.multiply"(%169, %172) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %174 = "stablehlo.constant"() { value = dense<[[0.0, 1.0, 1.0, 1.0], [1.0, 0.0, 1.0, 1.0], [1.0, 1.0, 0.0, 1.0], [1.0, 1.0, 1.0, 0.0]]> : tensor<4x4xf32> } : () -> tensor<4x4xf32>
    %175 = "stablehlo.constant"() { value = dense<[[0.0, 0.0, 1.0, 0.0], [0.0, 0.0, 0.0, 1.0], [1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0]]> : tensor<4x4xf32> } : () -> tensor<4x4xf32>
    %176 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %177 = "stablehlo.broadcast_in_dim"(%176) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x4xf32>
    %178 = "stablehlo.compare"(%174, %177) {
      compare_type = #stablehlo<comparison_type FLOAT>,
      comparison_direction = #stablehlo<comparison_direction NE>
    } : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xi1>
    %179 = "stablehlo.constant"() { value = dense<0xff800000> : tensor<f32> } : () -> tensor<f32>
    %180 = "stablehlo.broadcast_in_dim"(%179) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x4xf32>
    %181 = "stablehlo.select"(%178, %173, %180) : (tensor<4x4xi1>, tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %183 = "stablehlo.constant"() { value = dense<0xff800000> : tensor<f32> } : () -> tensor<f32>
    %184 = "stablehlo.reduce"(%181, %183) ({
      ^reductionFn(%arg12: tensor<f32>, %arg13: tensor<f32>) :
          %182 = "stablehlo.maximum"(%arg12, %arg13) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%182) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 1> } : (tensor<4x4xf32>, tensor<f32>) -> tensor<4xf32>
    %185 = "stablehlo.broadcast_in_dim"(%184) { broadcast_dimensions = array<i64: 0> } : (tensor<4xf32>) -> tensor<4x4xf32>
    %186 = "stablehlo.subtract"(%173, %185) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %187 = "stablehlo.exponential"(%186) : (tensor<4x4xf32>) -> tensor<4x4xf32>
    %188 = "stablehlo.multiply"(%174, %187) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %189 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %190 = "stablehlo.broadcast_in_dim"(%189) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x4xf32>
    %191 = "stablehlo.select"(%178, %188, %190) : (tensor<4x4xi1>, tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %193 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %194 = "stablehlo.reduce"(%191, %193) ({
      ^reductionFn(%arg14: tensor<f32>, %arg15: tensor<f32>) :
          %192 = "stablehlo.add"(%arg14, %arg15) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%192) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 1> } : (tensor<4x4xf32>, tensor<f32>) -> tensor<4xf32>
    %195 = "stablehlo.log"(%194) : (tensor<4xf32>) -> tensor<4xf32>
    %196 = "stablehlo.add"(%184, %195) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %197 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %198 = "stablehlo.broadcast_in_dim"(%197) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x4xf32>
    %199 = "stablehlo.compare"(%175, %198) {
      compare_type = #stablehlo<comparison_type FLOAT>,
      comparison_direction = #stablehlo<comparison_direction NE>
    } : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xi1>
    %200 = "stablehlo.constant"() { value = dense<0xff800000> : tensor<f32> } : () -> tensor<f32>
    %201 = "stablehlo.broadcast_in_dim"(%200) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x4xf32>
    %202 = "stablehlo.select"(%199, %173, %201) : (tensor<4x4xi1>, tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %204 = "stablehlo.constant"() { value = dense<0xff800000> : tensor<f32> } : () -> tensor<f32>
    %205 = "stablehlo.reduce"(%202, %204) ({
      ^reductionFn(%arg16: tensor<f32>, %arg17: tensor<f32>) :
          %203 = "stablehlo.maximum"(%arg16, %arg17) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%203) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 1> } : (tensor<4x4xf32>, tensor<f32>) -> tensor<4xf32>
    %206 = "stablehlo.broadcast_in_dim"(%205) { broadcast_dimensions = array<i64: 0> } : (tensor<4xf32>) -> tensor<4x4xf32>
    %207 = "stablehlo.subtract"(%173, %206) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %208 = "stablehlo.exponential"(%207) : (tensor<4x4xf32>) -> tensor<4x4xf32>
    %209 = "stablehlo.multiply"(%175, %208) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %210 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %211 = "stablehlo.broadcast_in_dim"(%210) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x4xf32>
    %212 = "stablehlo.select"(%199, %209, %211) : (tensor<4x4xi1>, tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %214 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %215 = "stablehlo.reduce"(%212, %214) ({
      ^reductionFn(%arg18: tensor<f32>, %arg19: tensor<f32>) :
          %213 = "stablehlo.add"(%arg18, %arg19) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%213) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 1> } : (tensor<4x4xf32>, tensor<f32>) -> tensor<4xf32>
    %216 = "stablehlo.log"(%215) : (tensor<4xf32>) -> tensor<4xf32>
    %217 = "stablehlo.add"(%205, %216) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %218 = "stablehlo.subtract"(%196, %217) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %220 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %221 = "stablehlo.reduce"(%218, %220) ({
      ^reductionFn(%arg20: tensor<f32>, %arg21: tensor<f32>) :
          %219 = "stablehlo.add"(%arg20, %arg21) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%219) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 0> } : (tensor<4xf32>, tensor<f32>) -> tensor<f32>
    %222 = "stablehlo.reshape"(%221) : (tensor<f32>) -> tensor<f32>
    %223 = "stablehlo.constant"() { value = dense<4.0> : tensor<f32> } : () -> tensor<f32>
    %224 = "stablehlo.divide"(%222, %223) : (tensor<f32>, tensor<f32>) -> tensor<f32>
    %225 = "stablehlo.constant"() { value = dense<1.0> : tensor<f32> } : () -> tensor<f32>
    %226 = "stablehlo.divide"(%225, %223) : (tensor<f32>, tensor<f32>) -> tensor<f32>
    %227 = "stablehlo.divide"(%224, %223) : (tensor<f32>, tensor<f32>) -> tensor<f32>
    %228 = "stablehlo.negate"(%227) : (tensor<f32>) -> tensor<f32>
    %229 = "stablehlo.multiply"(%228, %225) : (tensor<f32>, tensor<f32>) -> tensor<f32>
    %230 = "stablehlo.reshape"(%226) : (tensor<f32>) -> tensor<1xf32>
    %231 = "stablehlo.reshape"(%230) : (tensor<1xf32>) -> tensor<1xf32>
    %232 = "stablehlo.broadcast_in_dim"(%231) { broadcast_dimensions = array<i64: 0> } : (tensor<1xf32>) -> tensor<4xf32>
    %233 = "stablehlo.negate"(%232) : (tensor<4xf32>) -> tensor<4xf32>
    %234 = "stablehlo.broadcast_in_dim"(%233) { broadcast_dimensions = array<i64: 0> } : (tensor<4xf32>) -> tensor<4x4xf32>
    %235 = "stablehlo.broadcast_in_dim"(%217) { broadcast_dimensions = array<i64: 0> } : (tensor<4xf32>) -> tensor<4x4xf32>
    %236 = "stablehlo.subtract"(%173, %235) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %237 = "stablehlo.exponential"(%236) : (tensor<4x4xf32>) -> tensor<4x4xf32>
    %238 = "stablehlo.multiply"(%175, %237) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %239 = "stablehlo.multiply"(%234, %238) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %240 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %241 = "stablehlo.broadcast_in_dim"(%240) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x4xf32>
    %242 = "stablehlo.compare"(%175, %241) {
      compare_type = #stablehlo<comparison_type FLOAT>,
      comparison_direction = #stablehlo<comparison_direction NE>
    } : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xi1>
    %243 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %244 = "stablehlo.broadcast_in_dim"(%243) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x4xf32>
    %245 = "stablehlo.select"(%242, %239, %244) : (tensor<4x4xi1>, tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %246 = "stablehlo.broadcast_in_dim"(%232) { broadcast_dimensions = array<i64: 0> } : (tensor<4xf32>) -> tensor<4x4xf32>
    %247 = "stablehlo.broadcast_in_dim"(%196) { broadcast_dimensions = array<i64: 0> } : (tensor<4xf32>) -> tensor<4x4xf32>
    %248 = "stablehlo.subtract"(%173, %247) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %249 = "stablehlo.exponential"(%248) : (tensor<4x4xf32>) -> tensor<4x4xf32>
    %250 = "stablehlo.multiply"(%174, %249) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %251 = "stablehlo.multiply"(%246, %250) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %252 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %253 = "stablehlo.broadcast_in_dim"(%252) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x4xf32>
    %254 = "stablehlo.compare"(%174, %253) {
      compare_type = #stablehlo<comparison_type FLOAT>,
      comparison_direction = #stablehlo<comparison_direction NE>
    } : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xi1>
    %255 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %256 = "stablehlo.broadcast_in_dim"(%255) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x4xf32>
    %257 = "stablehlo.select"(%254, %251, %256) : (tensor<4x4xi1>, tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %258 = "stablehlo.add"(%245, %257) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %259 = "stablehlo.reshape"(%170) : (tensor<f32>) -> tensor<f32>
    %260 = "stablehlo.broadcast_in_dim"(%259) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x4xf32>
    %261 = "stablehlo.multiply"(%260, %258) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %262 = "stablehlo.multiply"(%169, %258) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %264 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %265 = "stablehlo.reduce"(%262, %264) ({
      ^reductionFn(%arg22: tensor<f32>, %arg23: tensor<f32>) :
          %263 = "stablehlo.add"(%arg22, %arg23) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%263) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 0, 1> } : (tensor<4x4xf32>, tensor<f32>) -> tensor<f32>
    %266 = "stablehlo.reshape"(%265) : (tensor<f32>) -> tensor<f32>
    %267 = "stablehlo.dot_general"(%261, %168) {
      dot_dimension_numbers = #stablehlo.dot<
  lhs_batching_dimensions = [],
  rhs_batching_dimensions = [],
  lhs_contracting_dimensions = [1],
  rhs_contracting_dimensions = [1]
>,
      precision_config = [#stablehlo<precision DEFAULT>, #stablehlo<precision DEFAULT>]
    } : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %268 = "stablehlo.dot_general"(%167, %261) {
      dot_dimension_numbers = #stablehlo.dot<
  lhs_batching_dimensions = [],
  rhs_batching_dimensions = [],
  lhs_contracting_dimensions = [0],
  rhs_contracting_dimensions = [0]
>,
      precision_config = [#stablehlo<precision DEFAULT>, #stablehlo<precision DEFAULT>]
    } : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %269 = "stablehlo.transpose"(%268) { permutation = array<i64: 1, 0> } : (tensor<4x4xf32>) -> tensor<4x4xf32>
    %270 = "stablehlo.add"(%267, %269) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %271 = "stablehlo.multiply"(%157, %157) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %273 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %274 = "stablehlo.reduce"(%271, %273) ({
      ^reductionFn(%arg24: tensor<f32>, %arg25: tensor<f32>) :
          %272 = "stablehlo.add"(%arg24, %arg25) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%272) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 1> } : (tensor<4x4xf32>, tensor<f32>) -> tensor<4xf32>
    %275 = "stablehlo.sqrt"(%274) : (tensor<4xf32>) -> tensor<4xf32>
    %276 = "stablehlo.broadcast_in_dim"(%275) { broadcast_dimensions = array<i64: 0> } : (tensor<4xf32>) -> tensor<4x4xf32>
    %277 = "stablehlo.multiply"(%167, %270) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %279 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %280 = "stablehlo.reduce"(%277, %279) ({
      ^reductionFn(%arg26: tensor<f32>, %arg27: tensor<f32>) :
          %278 = "stablehlo.add"(%arg26, %arg27) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%278) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 1> } : (tensor<4x4xf32>, tensor<f32>) -> tensor<4xf32>
    %281 = "stablehlo.broadcast_in_dim"(%280) { broadcast_dimensions = array<i64: 0> } : (tensor<4xf32>) -> tensor<4x4xf32>
    %282 = "stablehlo.multiply"(%167, %281) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %283 = "stablehlo.subtract"(%270, %282) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %284 = "stablehlo.divide"(%283, %276) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %285 = "stablehlo.constant"() { value = dense<9.999999960041972e-13> : tensor<f32> } : () -> tensor<f32>
    %286 = "stablehlo.broadcast_in_dim"(%285) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x4xf32>
    %287 = "stablehlo.divide"(%270, %286) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %288 = "stablehlo.constant"() { value = dense<9.999999960041972e-13> : tensor<f32> } : () -> tensor<f32>
    %289 = "stablehlo.broadcast_in_dim"(%288) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x4xf32>
    %290 = "stablehlo.compare"(%276, %289) {
      compare_type = #stablehlo<comparison_type FLOAT>,
      comparison_direction = #stablehlo<comparison_direction GT>
    } : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xi1>
    %291 = "stablehlo.select"(%290, %284, %287) : (tensor<4x4xi1>, tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %292 = "stablehlo.slice"(%291) {
      limit_indices = array<i64: 2, 4>,
      start_indices = array<i64: 0, 0>,
      strides = array<i64: 1, 1>
    } : (tensor<4x4xf32>) -> tensor<2x4xf32>
    %293 = "stablehlo.slice"(%291) {
      limit_indices = array<i64: 4, 4>,
      start_indices = array<i64: 2, 0>,
      strides = array<i64: 1, 1>
    } : (tensor<4x4xf32>) -> tensor<2x4xf32>
    %294 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %295 = "stablehlo.pad"(%293, %294) {
      edge_padding_high = array<i64: 0, 0>,
      edge_padding_low = array<i64: 2, 0>,
      interior_padding = array<i64: 0, 0>
    } : (tensor<2x4xf32>, tensor<f32>) -> tensor<4x4xf32>
    %296 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %297 = "stablehlo.pad"(%292, %296) {
      edge_padding_high = array<i64: 2, 0>,
      edge_padding_low = array<i64: 0, 0>,
      interior_padding = array<i64: 0, 0>
    } : (tensor<2x4xf32>, tensor<f32>) -> tensor<4x4xf32>
    %298 = "stablehlo.add"(%295, %297) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %300 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %301 = "stablehlo.reduce"(%298, %300) ({
      ^reductionFn(%arg28: tensor<f32>, %arg29: tensor<f32>) :
          %299 = "stablehlo.add"(%arg28, %arg29) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%299) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 0> } : (tensor<4x4xf32>, tensor<f32>) -> tensor<4xf32>
    %302 = "stablehlo.reshape"(%301) : (tensor<4xf32>) -> tensor<4xf32>
    %303 = "stablehlo.reshape"(%302) : (tensor<4xf32>) -> tensor<4xf32>
    %304 = "stablehlo.dot_general"(%298, %148) {
      dot_dimension_numbers = #stablehlo.dot<
  lhs_batching_dimensions = [],
  rhs_batching_dimensions = [],
  lhs_contracting_dimensions = [1],
  rhs_contracting_dimensions = [1]
>,
      precision_config = [#stablehlo<precision DEFAULT>, #stablehlo<precision DEFAULT>]
    } : (tensor<4x4xf32>, tensor<8x4xf32>) -> tensor<4x8xf32>
    %305 = "stablehlo.dot_general"(%147, %298) {
      dot_dimension_numbers = #stablehlo.dot<
  lhs_batching_dimensions = [],
  rhs_batching_dimensions = [],
  lhs_contracting_dimensions = [0],
  rhs_contracting_dimensions = [0]
>,
      precision_config = [#stablehlo<precision DEFAULT>, #stablehlo<precision DEFAULT>]
    } : (tensor<4x8xf32>, tensor<4x4xf32>) -> tensor<8x4xf32>
    %306 = "stablehlo.transpose"(%305) { permutation = array<i64: 1, 0> } : (tensor<8x4xf32>) -> tensor<4x8xf32>
    %307 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %308 = "stablehlo.broadcast_in_dim"(%307) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x8xf32>
    %309 = "stablehlo.compare"(%144, %308) {
      compare_type = #stablehlo<comparison_type FLOAT>,
      comparison_direction = #stablehlo<comparison_direction GT>
    } : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xi1>
    %310 = "stablehlo.select"(%309, %304, %308) : (tensor<4x8xi1>, tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
    %311 = "stablehlo.convert"(%82) : (tensor<4x8xf32>) -> tensor<4x8xf64>
    %312 = "stablehlo.convert"(%84) : (tensor<8xf32>) -> tensor<8xf64>
    %313 = "stablehlo.broadcast_in_dim"(%312) { broadcast_dimensions = array<i64: 1> } : (tensor<8xf64>) -> tensor<4x8xf64>
    %314 = "stablehlo.subtract"(%311, %313) : (tensor<4x8xf64>, tensor<4x8xf64>) -> tensor<4x8xf64>
    %315 = "stablehlo.broadcast_in_dim"(%94) { broadcast_dimensions = array<i64: 1> } : (tensor<8xf64>) -> tensor<4x8xf64>
    %316 = "stablehlo.subtract"(%314, %315) : (tensor<4x8xf64>, tensor<4x8xf64>) -> tensor<4x8xf64>
    %317 = "stablehlo.convert"(%310) : (tensor<4x8xf32>) -> tensor<4x8xf64>
    %318 = "stablehlo.multiply"(%317, %316) : (tensor<4x8xf64>, tensor<4x8xf64>) -> tensor<4x8xf64>
    %320 = "stablehlo.constant"() { value = dense<0.0> : tensor<f64> } : () -> tensor<f64>
    %321 = "stablehlo.reduce"(%318, %320) ({
      ^reductionFn(%arg30: tensor<f64>, %arg31: tensor<f64>) :
          %319 = "stablehlo.add"(%arg30, %arg31) : (tensor<f64>, tensor<f64>) -> tensor<f64>
          "stablehlo.return"(%319) : (tensor<f64>) -> ()
    }) { dimensions = array<i64: 0> } : (tensor<4x8xf64>, tensor<f64>) -> tensor<8xf64>
    %322 = "stablehlo.multiply"(%321, %112) : (tensor<8xf64>, tensor<8xf64>) -> tensor<8xf64>
    %323 = "stablehlo.convert"(%322) : (tensor<8xf64>) -> tensor<8xf32>
    %324 = "stablehlo.convert"(%310) : (tensor<4x8xf32>) -> tensor<4x8xf64>
    %326 = "stablehlo.constant"() { value = dense<0.0> : tensor<f64> } : () -> tensor<f64>
    %327 = "stablehlo.reduce"(%324, %326) ({
      ^reductionFn(%arg32: tensor<f64>, %arg33: tensor<f64>) :
          %325 = "stablehlo.add"(%arg32, %arg33) : (tensor<f64>, tensor<f64>) -> tensor<f64>
          "stablehlo.return"(%325) : (tensor<f64>) -> ()
    }) { dimensions = array<i64: 0> } : (tensor<4x8xf64>, tensor<f64>) -> tensor<8xf64>
    %328 = "stablehlo.convert"(%327) : (tensor<8xf64>) -> tensor<8xf32>
    %329 = "stablehlo.reshape"(%323) : (tensor<8xf32>) -> tensor<1x8xf32>
    %330 = "stablehlo.reshape"(%328) : (tensor<8xf32>) -> tensor<1x8xf32>
    %331 = "stablehlo.concatenate"(%329, %330) { dimension = 0 : i64 } : (tensor<1x8xf32>, tensor<1x8xf32>) -> tensor<2x8xf32>
    %332 = "stablehlo.constant"() { value = dense<4.0> : tensor<f32> } : () -> tensor<f32>
    %333 = "stablehlo.broadcast_in_dim"(%332) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<8xf32>
    %334 = "stablehlo.convert"(%112) : (tensor<8xf64>) -> tensor<8xf32>
    %335 = "stablehlo.slice"(%331) {
      limit_indices = array<i64: 1, 8>,
      start_indices = array<i64: 0, 0>,
      strides = array<i64: 1, 1>
    } : (tensor<2x8xf32>) -> tensor<1x8xf32>
    %336 = "stablehlo.reshape"(%335) : (tensor<1x8xf32>) -> tensor<8xf32>
    %337 = "stablehlo.slice"(%331) {
      limit_indices = array<i64: 2, 8>,
      start_indices = array<i64: 1, 0>,
      strides = array<i64: 1, 1>
    } : (tensor<2x8xf32>) -> tensor<1x8xf32>
    %338 = "stablehlo.reshape"(%337) : (tensor<1x8xf32>) -> tensor<8xf32>
    %339 = "stablehlo.divide"(%338, %333) : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
    %340 = "stablehlo.multiply"(%336, %334) : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
    %341 = "stablehlo.divide"(%340, %333) : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
    %342 = "stablehlo.broadcast_in_dim"(%339) { broadcast_dimensions = array<i64: 1> } : (tensor<8xf32>) -> tensor<4x8xf32>
    %343 = "stablehlo.subtract"(%310, %342) : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
    %344 = "stablehlo.broadcast_in_dim"(%84) { broadcast_dimensions = array<i64: 1> } : (tensor<8xf32>) -> tensor<4x8xf32>
    %345 = "stablehlo.subtract"(%82, %344) : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
    %346 = "stablehlo.convert"(%94) : (tensor<8xf64>) -> tensor<8xf32>
    %347 = "stablehlo.broadcast_in_dim"(%346) { broadcast_dimensions = array<i64: 1> } : (tensor<8xf32>) -> tensor<4x8xf32>
    %348 = "stablehlo.subtract"(%345, %347) : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
    %349 = "stablehlo.broadcast_in_dim"(%341) { broadcast_dimensions = array<i64: 1> } : (tensor<8xf32>) -> tensor<4x8xf32>
    %350 = "stablehlo.multiply"(%348, %349) : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
    %351 = "stablehlo.subtract"(%343, %350) : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
    %352 = "stablehlo.multiply"(%proj_1_weight, %334) : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
    %353 = "stablehlo.broadcast_in_dim"(%352) { broadcast_dimensions = array<i64: 1> } : (tensor<8xf32>) -> tensor<4x8xf32>
    %354 = "stablehlo.multiply"(%353, %351) : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
    %355 = "stablehlo.slice"(%331) {
      limit_indices = array<i64: 1, 8>,
      start_indices = array<i64: 0, 0>,
      strides = array<i64: 1, 1>
    } : (tensor<2x8xf32>) -> tensor<1x8xf32>
    %356 = "stablehlo.reshape"(%355) : (tensor<1x8xf32>) -> tensor<8xf32>
    %357 = "stablehlo.slice"(%331) {
      limit_indices = array<i64: 2, 8>,
      start_indices = array<i64: 1, 0>,
      strides = array<i64: 1, 1>
    } : (tensor<2x8xf32>) -> tensor<1x8xf32>
    %358 = "stablehlo.reshape"(%357) : (tensor<1x8xf32>) -> tensor<8xf32>
    %360 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %361 = "stablehlo.reduce"(%354, %360) ({
      ^reductionFn(%arg34: tensor<f32>, %arg35: tensor<f32>) :
          %359 = "stablehlo.add"(%arg34, %arg35) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%359) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 0> } : (tensor<4x8xf32>, tensor<f32>) -> tensor<8xf32>
    %362 = "stablehlo.reshape"(%361) : (tensor<8xf32>) -> tensor<8xf32>
    %363 = "stablehlo.reshape"(%362) : (tensor<8xf32>) -> tensor<8xf32>
    %364 = "stablehlo.dot_general"(%354, %76) {
      dot_dimension_numbers = #stablehlo.dot<
  lhs_batching_dimensions = [],
  rhs_batching_dimensions = [],
  lhs_contracting_dimensions = [1],
  rhs_contracting_dimensions = [1]
>,
      precision_config = [#stablehlo<precision DEFAULT>, #stablehlo<precision DEFAULT>]
    } : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x4xf32>
    %365 = "stablehlo.dot_general"(%75, %354) {
      dot_dimension_numbers = #stablehlo.dot<
  lhs_batching_dimensions = [],
  rhs_batching_dimensions = [],
  lhs_contracting_dimensions = [0],
  rhs_contracting_dimensions = [0]
>,
      precision_config = [#stablehlo<precision DEFAULT>, #stablehlo<precision DEFAULT>]
    } : (tensor<4x4xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
    %366 = "stablehlo.transpose"(%365) { permutation = array<i64: 1, 0> } : (tensor<4x8xf32>) -> tensor<8x4xf32>
    %367 = "stablehlo.reshape"(%72) : (tensor<f32>) -> tensor<f32>
    %368 = "stablehlo.broadcast_in_dim"(%367) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x4xf32>
    %369 = "stablehlo.divide"(%364, %368) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %370 = "stablehlo.reshape"(%72) : (tensor<f32>) -> tensor<f32>
    %371 = "stablehlo.broadcast_in_dim"(%370) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x4xf32>
    %372 = "stablehlo.divide"(%75, %371) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %373 = "stablehlo.negate"(%372) : (tensor<4x4xf32>) -> tensor<4x4xf32>
    %374 = "stablehlo.multiply"(%373, %364) : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    %376 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %377 = "stablehlo.reduce"(%374, %376) ({
      ^reductionFn(%arg36: tensor<f32>, %arg37: tensor<f32>) :
          %375 = "stablehlo.add"(%arg36, %arg37) : (tensor<f32>, tensor<f32>) -> tensor<f32>
          "stablehlo.return"(%375) : (tensor<f32>) -> ()
    }) { dimensions = array<i64: 0, 1> } : (tensor<4x4xf32>, tensor<f32>) -> tensor<f32>
    %378 = "stablehlo.reshape"(%377) : (tensor<f32>) -> tensor<f32>
    %379 = "stablehlo.reshape"(%369) : (tensor<4x4xf32>) -> tensor<4x4x1xf32>
    %380 = "stablehlo.reshape"(%379) : (tensor<4x4x1xf32>) -> tensor<4x4x1xf32>
    %381 = "stablehlo.broadcast_in_dim"(%380) { broadcast_dimensions = array<i64: 0, 1, 2> } : (tensor<4x4x1xf32>) -> tensor<4x4x64xf32>
    %382 = "stablehlo.reshape"(%381) : (tensor<4x4x64xf32>) -> tensor<4x4x8x8xf32>
    %383 = "stablehlo.constant"() { value = dense<0.0> : tensor<f32> } : () -> tensor<f32>
    %384 = "stablehlo.broadcast_in_dim"(%383) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4x4x8x8xf32>
    %385 = "stablehlo.compare"(%63, %384) {
      compare_type = #stablehlo<comparison_type FLOAT>,
      comparison_direction = #stablehlo<comparison_direction GT>
    } : (tensor<4x4x8x8xf32>, tensor<4x4x8x8xf32>) -> tensor<4x4x8x8xi1>
    %386 = "stablehlo.select"(%385, %382, %384) : (tensor<4x4x8x8xi1>, tensor<4x4x8x8xf32>, tensor<4x4x8x8xf32>) -> tensor<4x4x8x8xf32>
    %387 = "stablehlo.convert"(%1) : (tensor<4x4x8x8xf32>) -> tensor<4x4x8x8xf64>
    %388 = "stablehlo.convert"(%3) : (tensor<4xf32>) -> tensor<4xf64>
    %389 = "stablehlo.broadcast_in_dim"(%388) { broadcast_dimensions = array<i64: 1> } : (tensor<4xf64>) -> tensor<4x4x8x8xf64>
    %390 = "stablehlo.subtract"(%387, %389) : (tensor<4x4x8x8xf64>, tensor<4x4x8x8xf64>) -> tensor<4x4x8x8xf64>
    %391 = "stablehlo.broadcast_in_dim"(%13) { broadcast_dimensions = array<i64: 1> } : (tensor<4xf64>) -> tensor<4x4x8x8xf64>
    %392 = "stablehlo.subtract"(%390, %391) : (tensor<4x4x8x8xf64>, tensor<4x4x8x8xf64>) -> tensor<4x4x8x8xf64>
    %393 = "stablehlo.convert"(%386) : (tensor<4x4x8x8xf32>) -> tensor<4x4x8x8xf64>
    %394 = "stablehlo.multiply"(%393, %392) : (tensor<4x4x8x8xf64>, tensor<4x4x8x8xf64>) -> tensor<4x4x8x8xf64>
    %396 = "stablehlo.constant"() { value = dense<0.0> : tensor<f64> } : () -> tensor<f64>
    %397 = "stablehlo.reduce"(%394, %396) ({
      ^reductionFn(%arg38: tensor<f64>, %arg39: tensor<f64>) :
          %395 = "stablehlo.add"(%arg38, %arg39) : (tensor<f64>, tensor<f64>) -> tensor<f64>
          "stablehlo.return"(%395) : (tensor<f64>) -> ()
    }) { dimensions = array<i64: 0, 2, 3> } : (tensor<4x4x8x8xf64>, tensor<f64>) -> tensor<4xf64>
    %398 = "stablehlo.multiply"(%397, %31) : (tensor<4xf64>, tensor<4xf64>) -> tensor<4xf64>
    %399 = "stablehlo.convert"(%398) : (tensor<4xf64>) -> tensor<4xf32>
    %400 = "stablehlo.convert"(%386) : (tensor<4x4x8x8xf32>) -> tensor<4x4x8x8xf64>
    %402 = "stablehlo.constant"() { value = dense<0.0> : tensor<f64> } : () -> tensor<f64>
    %403 = "stablehlo.reduce"(%400, %402) ({
      ^reductionFn(%arg40: tensor<f64>, %arg41: tensor<f64>) :
          %401 = "stablehlo.add"(%arg40, %arg41) : (tensor<f64>, tensor<f64>) -> tensor<f64>
          "stablehlo.return"(%401) : (tensor<f64>) -> ()
    }) { dimensions = array<i64: 0, 2, 3> } : (tensor<4x4x8x8xf64>, tensor<f64>) -> tensor<4xf64>
    %404 = "stablehlo.convert"(%403) : (tensor<4xf64>) -> tensor<4xf32>
    %405 = "stablehlo.reshape"(%399) : (tensor<4xf32>) -> tensor<1x4xf32>
    %406 = "stablehlo.reshape"(%404) : (tensor<4xf32>) -> tensor<1x4xf32>
    %407 = "stablehlo.concatenate"(%405, %406) { dimension = 0 : i64 } : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<2x4xf32>
    %408 = "stablehlo.constant"() { value = dense<256.0> : tensor<f32> } : () -> tensor<f32>
    %409 = "stablehlo.broadcast_in_dim"(%408) { broadcast_dimensions = array<i64> } : (tensor<f32>) -> tensor<4xf32>
    %410 = "stablehlo.convert"(%31) : (tensor<4xf64>) -> tensor<4xf32>
    %411 = "stablehlo.slice"(%407) {
      limit_indices = array<i64: 1, 4>,
      start_indices = array<i64: 0, 0>,
      strides = array<i64: 1, 1>
    } : (tensor<2x4xf32>) -> tensor<1x4xf32>
    %412 = "stablehlo.reshape"(%411) : (tensor<1x4xf32>) -> tensor<4xf32>
    %413 = "stablehlo.slice"(%407) {
      limit_indices = array<i64: 2, 4>,
      start_indices = array<i64: 1, 0>,
      strides = array<i64: 1, 1>
    } : (tensor<2x4xf32>) -> tensor<1x4xf32>
    %414 = "stablehlo.reshape"(%413) : (tensor<1x4xf32>) -> tensor<4xf32>
    %415 = "stablehlo.divide"(%414, %409) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %416 = "stablehlo.multiply"(%412, %410) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %417 = "stablehlo.divide"(%416, %409) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %418 = "stablehlo.broadcast_in_dim"(%415) { broadcast_dimensions = array<i64: 1> } : (tensor<4xf32>) -> tensor<4x4x8x8xf32>
    %419 = "stablehlo.subtract"(%386, %418) : (tensor<4x4x8x8xf32>, tensor<4x4x8x8xf32>) -> tensor<4x4x8x8xf32>
    %420 = "stablehlo.broadcast_in_dim"(%3) { broadcast_dimensions = array<i64: 1> } : (tensor<4xf32>) -> tensor<4x4x8x8xf32>
    %421 = "stablehlo.subtract"(%1, %420) : (tensor<4x4x8x8xf32>, tensor<4x4x8x8xf32>) -> tensor<4x4x8x8xf32>
    %422 = "stablehlo.convert"(%13) : (tensor<4xf64>) -> tensor<4xf32>
    %423 = "stablehlo.broadcast_in_dim"(%422) { broadcast_dimensions = array<i64: 1> } : (tensor<4xf32>) -> tensor<4x4x8x8xf32>
    %424 = "stablehlo.subtract"(%421, %423) : (tensor<4x4x8x8xf32>, tensor<4x4x8x8xf32>) -> tensor<4x4x8x8xf32>
    %425 = "stablehlo.broadcast_in_dim"(%417) { broadcast_dimensions = array<i64: 1> } : (tensor<4xf32>) -> tensor<4x4x8x8xf32>
    %426 = "stablehlo.multiply"(%424, %425) : (tensor<4x4x8x8xf32>, tensor<4x4x8x8xf32>) -> tensor<4x4x8x8xf32>
    %427 = "stablehlo.subtract"(%419, %426) : (tensor<4x4x8x8xf32>, tensor<4x4x8x8xf32>) -> tensor<4x4x8x8xf32>
    %428 = "stablehlo.multiply"(%bn0_weight, %410) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %429 = "stablehlo.broadcast_in_dim"(%428) { broadcast_dimensions = array<i64: 1> } : (tensor<4xf32>) -> tensor<4x4x8x8xf32>
    %430 = "stablehlo.multiply"(%429, %427) : (tensor<4x4x8x8xf32>, tensor<4x4x8x8xf32>) -> tensor<4x4x8x8xf32>
    %431 = "stablehlo.slice"(%407) {
      limit_indices = array<i64: 1, 4>,
      start_indices = array<i64: 0, 0>,
      strides = array<i64: 1, 1>
    } : (tensor<2x4xf32>) -> tensor<1x4xf32>
    %432 = "stablehlo.reshape"(%431) : (tensor<1x4xf32>) -> tensor<4xf32>
    %433 = "stablehlo.slice"(%407) {
      limit_indices = array<i64: 2, 4>,
      start_indices = array<i64: 1, 0>,
      strides = array<i64: 1, 1>
    } : (tensor<2x4xf32>) -> tensor<1x4xf32>
    %434 = "stablehlo.reshape"(%433) : (tensor<1x4xf32>) -> tensor<4xf32>
    %435 = "stablehlo.reverse"(%conv0_weight) { dimensions = array<i64: 2, 3> } : (tensor<4x3x3x3xf32>) -> tensor<4x3x3x3xf32>
    %436 = "stablehlo.convolution"(%430, %435) {
      batch_group_count = 1 : i64,
      dimension_numbers = #stablehlo.conv<[b, f, 0, 1]x[i, o, 0, 1]->[b, f, 0, 1]>,
      feature_group_count = 1 : i64,
      lhs_dilation = array<i64: 1, 1>,
      padding = dense<[[1, 1], [1, 1]]> : tensor<2x2xi64>,
      precision_config = [#stablehlo<precision DEFAULT>, #stablehlo<precision DEFAULT>],
      rhs_dilation = array<i64: 1, 1>,
      window_reversal = array<i1: false, false>,
      window_strides = array<i64: 1, 1>
    } : (tensor<4x4x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<4x3x8x8xf32>
    %437 = "stablehlo.convolution"(%0, %430) {
      batch_group_count = 1 : i64,
      dimension_numbers = #stablehlo.conv<[f, b, 0, 1]x[i, o, 0, 1]->[f, b, 0, 1]>,
      feature_group_count = 1 : i64,
      lhs_dilation = array<i64: 1, 1>,
      padding = dense<[[1, 1], [1, 1]]> : tensor<2x2xi64>,
      precision_config = [#stablehlo<precision DEFAULT>, #stablehlo<precision DEFAULT>],
      rhs_dilation = array<i64: 1, 1>,
      window_reversal = array<i1: false, false>,
      window_strides = array<i64: 1, 1>
    } : (tensor<4x3x8x8xf32>, tensor<4x4x8x8xf32>) -> tensor<4x3x3x3xf32>
    "stablehlo.return"(%224, %437, %432, %434, %366, %363, %356, %358, %306, %303, %45, %50, %52, %126, %131, %133) : (tensor<f32>, tensor<4x3x3x3xf32>, tensor<4xf32>, tensor<4xf32>, tensor<8x4xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<4x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<i64>, tensor<8xf32>, tensor<8xf32>, tensor<i64>) -> ()
  }
}
