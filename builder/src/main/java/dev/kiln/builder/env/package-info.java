/**
 * The build environment a recipe's steps run in: an image root filesystem assembled from a lock
 * without maintainer scripts, written once per tree into the store as a read-only directory
 * ({@link dev.kiln.builder.env.BuildEnvironment}).
 */
package dev.kiln.builder.env;
