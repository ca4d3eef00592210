/// <reference types="node" />
/**
 * The Node-only parts of core, which nn and viz write their files with.
 *
 * @module @chainrule/core/node
 */
export { writeFileAtomic } from './atomic-write.ts';
