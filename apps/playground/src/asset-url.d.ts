/** Vite's `?url` imports: the URL of the file the bundle ships (here, the MNIST subset for the worker to fetch). */
declare module '*?url' {
  const url: string;
  export default url;
}
