% rebase('layout')
<h1>Services and prices</h1>
<p>Prices include {{vat_rate()}}% VAT.</p>
% if not groups:
<p>Our price list is being prepared. Please call us.</p>
% end
% for category, items in groups:
<section class="service-group">
  <h2>{{category}}</h2>
  <ul class="cards">
% for item in items:
    <li class="card">
      <h3>{{item.name}}</h3>
% if item.description:
      <p>{{item.description}}</p>
% end
      <p class="meta"><span class="price">{{money(gross(item.price))}}</span> · <span>about {{duration(item.duration_minutes)}}</span></p>
      <p><a href="/times?service={{item.id}}">Free times<span class="sr-only"> for {{item.name}}</span></a></p>
    </li>
% end
  </ul>
</section>
% end
<p><a class="button primary" href="/book">Book a service</a> <a class="button" href="/times">See free times</a></p>
