package io.github.resilientjcache.examples.springboot;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** {@code /products/{id}}: GET, PUT (name and price), DELETE; {@code /products/{id}/quote}: GET. */
@RestController
@RequestMapping("/products")
public class ProductController {

  /** What a PUT carries. */
  public record ProductBody(String name, long priceCents) {}

  private final ProductService service;

  public ProductController(ProductService service) {
    this.service = service;
  }

  @GetMapping("/{id}")
  public Product get(@PathVariable long id) {
    return service.find(id);
  }

  @PutMapping("/{id}")
  public Product put(@PathVariable long id, @RequestBody ProductBody body) {
    return service.save(new Product(id, body.name(), body.priceCents()));
  }

  @DeleteMapping("/{id}")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  public void delete(@PathVariable long id) {
    service.delete(id);
  }

  @GetMapping("/{id}/quote")
  public long quote(@PathVariable long id) {
    return service.quote(id);
  }
}
