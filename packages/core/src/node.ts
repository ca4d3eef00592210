/// <reference types="node" />
/** @chainrule/core/node: the Node-only parts of core, which nn and viz write their files with. */
export { writeFileAtomic } from './atomic-write.ts';
