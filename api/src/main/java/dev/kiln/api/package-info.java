/**
 * kiln's Java API: the {@link dev.kiln.api.Kiln} façade over the modules below it (resolve, fetch,
 * assemble, push and pull, verify), and {@link dev.kiln.api.BuildCheck}, which builds a spec twice
 * under different conditions and compares the two. The only module that sees every other one.
 */
package dev.kiln.api;
