/** Vite bundles imported style sheets (KaTeX's) with the page's CSS. */
declare module 'katex/dist/katex.min.css';
