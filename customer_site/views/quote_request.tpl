% rebase('layout')
<h1>Request a quote</h1>
<p>Tell us what you need. We will price it and send you a quote to accept or decline line by line.</p>
% if not cars:
<p class="warning">Please <a href="{{add_car()}}">add your car</a> first: you come straight back here.</p>
% else:
% include('_errors', anchors={'car': 'car-error', 'service': 'service-error'}, fields=('car', 'service', 'problem'), labels={'car': 'Car', 'service': 'Services', 'problem': 'Problem'})
<form id="quote-request-form" method="post" action="/quotes/new" class="form wide" novalidate>
  <input type="hidden" name="csrf_token" value="{{csrf()}}">
  <fieldset{{!' aria-describedby="car-error"' if errors.get('car') else ''}}>
    <legend>Which car?</legend>
% if errors.get('car'):
    <p class="error" id="car-error">Car: {{errors['car']}}</p>
% end
% for car in cars:
    <label class="choice" for="car-{{car.id}}"><input type="radio" id="car-{{car.id}}" name="car" value="{{car.id}}"{{!' checked' if form.get('car') == str(car.id) else ''}}> <span>{{car.make}} {{car.model}}{{(' · ' + car.plate) if car.plate else ''}}</span></label>
% end
  </fieldset>
  <fieldset{{!' aria-describedby="service-error"' if errors.get('service') else ''}}>
    <legend>Services (optional)</legend>
% if errors.get('service'):
    <p class="error" id="service-error">Services: {{errors['service']}}</p>
% end
% for category, items in groups:
% for item in items:
    <label class="choice" for="service-{{item.id}}"><input type="checkbox" id="service-{{item.id}}" name="service" value="{{item.id}}"{{!' checked' if str(item.id) in form.get('service', []) else ''}}> <span>{{item.name}} <span class="meta">· {{category}} · from {{money(gross(item.price))}}</span></span></label>
% end
% end
  </fieldset>
% include('_field', name='problem', label='Describe the problem', type='textarea', optional=True, rows=5, hint='For example: squeaking noise when braking since last week.')
  <button type="submit" class="button primary">Send request</button>
</form>
% end
