package io.github.resilientjcache.examples.springboot;

import java.io.Serializable;

/** A product as the catalogue stores it. Serializable: the cache keeps a serialized copy in Redis. */
public record Product(long id, String name, long priceCents) implements Serializable {}
