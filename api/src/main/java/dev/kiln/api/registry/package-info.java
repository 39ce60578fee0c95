/**
 * How kiln makes registry clients (the command's options, the environment's proxies and logins),
 * and the pushes and pulls the façade and verification share.
 */
package dev.kiln.api.registry;
