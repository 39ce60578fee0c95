/**
 * Checking that a build is reproducible: {@link dev.kiln.assembler.verify.BuildCheck} builds a
 * spec twice from scratch, the second time in another JVM under other conditions, and compares
 * the two with {@link dev.kiln.oci.compare.ImageDiff}.
 * {@link dev.kiln.assembler.verify.InstalledPackages} holds the packages an image's dpkg records
 * name against those its lock pins.
 */
package dev.kiln.assembler.verify;
