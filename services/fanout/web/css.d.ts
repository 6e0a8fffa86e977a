// Stylesheets imported by the page scripts: build/bundle.ts minifies them and inlines the text.
declare module '*.css' {
  const css: string
  export default css
}
