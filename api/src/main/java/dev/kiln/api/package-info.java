/**
 * kiln's Java API: the {@link dev.kiln.api.Kiln} façade, configured by its builder and given
 * request values ({@link dev.kiln.api.LockRequest}, {@link dev.kiln.api.FetchRequest},
 * {@link dev.kiln.api.BuildRequest}, {@link dev.kiln.api.SignRequest},
 * {@link dev.kiln.api.VerifyRequest}) that return result values; specs loaded or built in code
 * ({@link dev.kiln.api.Spec}); typed targets and image references ({@link dev.kiln.api.Target},
 * {@link dev.kiln.api.ImageRef}); events for the handlers a caller registers
 * ({@link dev.kiln.api.KilnEvent}). The library reads no environment and keeps no global state;
 * {@link dev.kiln.api.SystemDefaults} is the one class that reads the host, for the CLI.
 *
 * <p>The public types of this package are the API. The package-private classes here and
 * everything under {@code dev.kiln.api.internal} are how it is done: the lock, the build pipeline,
 * the fetch, signing, verification, the documents beside a layout, the build check.
 */
package dev.kiln.api;
