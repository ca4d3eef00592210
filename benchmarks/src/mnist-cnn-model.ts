/**
 * The CNN of the CNN rows, built with @chainrule/nn's layers as examples/src/mnist-cnn.ts builds it: flat MNIST
 * rows [784] in, class probabilities out. peers/cnn.json describes the same net for the PyTorch peer (a test
 * checks the two agree).
 */
import { conv2d, dense, flatten, maxPool2d, reshape, sequential, type Model } from '@chainrule/nn';

export function mnistCnn(): Model {
  return sequential([
    reshape({ shape: [1, 28, 28] }),
    conv2d({ filters: 16, kernel: 5, activation: 'relu' }),
    maxPool2d({ kernel: 2 }),
    conv2d({ filters: 32, kernel: 5, activation: 'relu' }),
    maxPool2d({ kernel: 2 }),
    flatten(),
    dense(128, { activation: 'relu' }),
    dense(10, { activation: 'softmax' }),
  ], { inputShape: [784] });
}
