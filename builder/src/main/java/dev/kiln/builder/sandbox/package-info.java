/**
 * The bubblewrap sandbox a recipe's steps run in ({@link dev.kiln.builder.sandbox.Sandbox}): each
 * step a fresh {@code bwrap} with every namespace unshared (loopback only), uid 0 inside whoever
 * runs kiln, the build environment's tree read-only, a writable workspace and outputs, a bounded
 * {@code /tmp}, and a cleared environment; and the pre-flight check that user namespaces work
 * here ({@link dev.kiln.builder.sandbox.Sandbox#check}), saying what to change when they do not.
 */
package dev.kiln.builder.sandbox;
