% rebase('layout')
<h1>Book a service</h1>
<ol class="steps" aria-label="Steps">
  <li aria-current="step"><strong>1. Car and services</strong></li><li>2. Day and time</li><li>3. Confirm</li>
</ol>
% if not cars:
<p class="warning">Please <a href="{{add_car()}}">add your car</a> first: you come straight back here to book.</p>
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
    <p><a href="{{add_car()}}">Add another car</a></p>
  </fieldset>
% include('_service_choices')
% for carried in ('date', 'start'):
%   if picked.get(carried):
  <input type="hidden" name="{{carried}}" value="{{picked[carried]}}">
%   end
% end
  <button type="submit" class="button primary">Show free days</button>
</form>
% end
