% rebase('layout')
<h1>Book a service</h1>
<ol class="steps" aria-label="Steps">
  <li aria-current="step"><strong>1. Car and services</strong></li><li>2. Day and time</li><li>3. Confirm</li>
</ol>
% if not cars:
<p class="warning">Please <a href="/cars/new">add your car</a> first, then come back to book.</p>
% else:
% include('_errors', anchors={'car': 'car-error', 'service': 'service-error'}, fields=('car', 'service'), labels={'car': 'Car', 'service': 'Services'})
<form id="book-form" method="get" action="/book/calendar" class="form wide" novalidate>
  <fieldset{{!' aria-describedby="car-error"' if errors.get('car') else ''}}>
    <legend>Which car?</legend>
% if errors.get('car'):
    <p class="error" id="car-error">Car: {{errors['car']}}</p>
% end
% for car in cars:
    <label class="choice" for="car-{{car.id}}">
      <input type="radio" id="car-{{car.id}}" name="car" value="{{car.id}}"{{!' checked' if picked['car'] == str(car.id) else ''}}>
      <span>{{car.make}} {{car.model}}{{(' · ' + car.plate) if car.plate else ''}}</span>
    </label>
% end
    <p><a href="/cars/new">Add another car</a></p>
  </fieldset>
% if errors.get('service'):
  <p class="error" id="service-error">Services: {{errors['service']}}</p>
% end
% for index, (category, items) in enumerate(groups):
  <fieldset{{!' aria-describedby="service-error"' if errors.get('service') else ''}}>
    <legend>{{category}}</legend>
% for item in items:
    <label class="choice" for="service-{{item.id}}">
      <input type="checkbox" id="service-{{item.id}}" name="service" value="{{item.id}}"{{!' checked' if str(item.id) in picked['service'] else ''}}>
      <span>{{item.name}} <span class="meta">· {{money(gross(item.price))}} · about {{duration(item.duration_minutes)}}</span></span>
    </label>
% end
  </fieldset>
% end
  <button type="submit" class="button primary">Show free days</button>
</form>
% end
