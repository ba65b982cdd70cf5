"""P03 Map tests (a regular package, so that a third-party wheel shipping a top-level ``tests``
package, as pygeoapi does, cannot shadow it)."""
