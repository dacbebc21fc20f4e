% rebase('layout')
<h1>My account</h1>
<div class="columns">
<section>
  <h2>Contact details</h2>
  <dl class="details">
    <dt>Name</dt><dd>{{profile.name}}</dd>
    <dt>E-mail</dt><dd>{{profile.email}}</dd>
    <dt>Phone</dt><dd>{{profile.phone_display or '–'}}</dd>
    <dt>Address</dt><dd>{{profile.address or '–'}}</dd>
  </dl>
  <p><a class="button" href="/account/profile">Edit contact details</a> <a class="button" href="/account/email">Change e-mail</a> <a class="button" href="/account/password">Change password</a></p>
</section>
<section>
  <h2>My cars</h2>
% if cars:
  <ul class="plain">
% for car in cars:
    <li><a href="/cars/{{car.id}}">{{car.make}} {{car.model}}</a>{{(' · ' + car.plate) if car.plate else ''}}</li>
% end
  </ul>
% else:
  <p>No car yet.</p>
% end
  <p><a class="button" href="/cars/new">Add a car</a></p>
</section>
</div>
<section>
  <h2>Documents</h2>
  <ul class="plain">
    <li><a href="/appointments">My appointments</a></li>
    <li><a href="/quotes">My quotes</a> · <a href="/quotes/new">Request a quote</a></li>
    <li><a href="/invoices">My invoices</a></li>
  </ul>
</section>
