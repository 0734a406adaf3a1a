import { h } from "preact";
import htm from "htm";

// Tagged templates instead of JSX: the sources run as they are written, esbuild only bundles.
export const html = htm.bind(h);
