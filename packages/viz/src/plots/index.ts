export type { ChartSpec } from './spec.ts';
export { chartSvg } from './render.ts';
export { lineChart, lossChart, metricChart, learningRateChart, gradientNormChart, type Series, type LineChartOptions, type Curves, type Numbers, type NormsByLayer } from './lines.ts';
export { fit1dChart, type Fit1dData } from './fit1d.ts';
export { surfaceChart, type SurfaceData } from './surface.ts';
export { confusionChart, type ConfusionData } from './confusion.ts';
export { digitsChart, type DigitsData } from './digits.ts';
export { imagesChart, type ImagesData } from './images.ts';
export { jacobianChart, type JacobianData } from './jacobian.ts';
