% rebase('layout')
<section class="hero">
  <h1>{{shop['shop.name']}}</h1>
  <p class="lead">Servicing, repairs, tyres and inspections for every make, by mechanics who explain what they do.
  Book online in a minute, follow your repair and get your invoice here.</p>
  <p><a class="button primary" href="/book">Book a service</a> <a class="button" href="/times">See free times</a> <a class="button" href="/services">See prices</a></p>
% if rating.count:
  <p><a href="/reviews">Rated {{rating.average}} of 5 by {{rating.count}} customer{{'s' if rating.count != 1 else ''}}</a></p>
% end
</section>
<div class="columns">
  <section>
    <h2>Opening hours</h2>
% if hours:
    <table class="hours">
      <caption class="sr-only">Opening hours</caption>
% for dayname, times in hours:
      <tr><th scope="row">{{dayname}}</th><td>{{times}}</td></tr>
% end
    </table>
% else:
    <p>Please call us for our opening hours.</p>
% end
  </section>
  <section>
    <h2>Find us</h2>
% if shop['shop.address']:
    <p>{{shop['shop.address']}}</p>
% end
% if shop['shop.phone']:
    <p>Phone: <a href="tel:{{shop['shop.phone'].replace(' ', '')}}">{{shop['shop.phone']}}</a></p>
% end
    <p><a href="/about">More about us</a></p>
  </section>
</div>
