% rebase('layout')
<h1>{{title}}</h1>
<ol class="steps" aria-label="Steps">
  <li>1. Car and services</li><li>2. Day and time</li><li aria-current="step"><strong>3. Confirm</strong></li>
</ol>
% if problem == 'taken':
<div class="error-summary" role="alert" id="error-summary" tabindex="-1">
  <h2>Sorry, this time was just taken</h2>
% if alternatives:
  <p>These are the nearest free times:</p>
  <form id="alternatives-form" method="get" action="{{choice.base}}/review">
% for name, value in choice.hidden():
    <input type="hidden" name="{{name}}" value="{{value}}">
% end
    <fieldset>
      <legend>Nearest free times</legend>
% for index, slot in enumerate(alternatives):
      <label class="choice" for="alt-{{index}}"><input type="radio" id="alt-{{index}}" name="start" value="{{slot.start.isoformat()}}"{{!' checked' if index == 0 else ''}}> {{local(slot.start)}}</label>
% end
    </fieldset>
    <button type="submit" class="button primary">Take this time</button>
  </form>
% end
  <p><a href="{{choice.calendar}}?{{choice.params()}}">Back to the calendar</a></p>
</div>
% elif problem == 'booked':
<div class="error-summary" role="alert" id="error-summary" tabindex="-1">
% if choice.quote.booked_start:
  <h2>This quote is already booked</h2>
  <p id="quote-error">Quote {{choice.quote.id}} is booked for <strong>{{local(choice.quote.booked_start)}}</strong>, so it was not booked a second time. To change the time, move that appointment.</p>
  <p><a href="/appointments/{{choice.quote.appointment_id}}">See your appointment</a></p>
% else:
  <h2>This quote cannot be booked</h2>
  <p id="quote-error">{{errors.get('quote', '')}}</p>
% end
  <p><a href="/quotes/{{choice.quote.id}}">Back to quote {{choice.quote.id}}</a></p>
</div>
% elif errors:
<div class="error-summary" role="alert" id="error-summary" tabindex="-1">
  <h2>This time cannot be booked</h2>
  <ul>
% for field, message in errors.items():
    <li id="{{field}}-error">{{message}}</li>
% end
  </ul>
  <p><a href="{{choice.calendar}}?{{choice.params()}}">Back to the calendar</a></p>
</div>
% end
% if problem not in ('taken', 'booked'):
<dl class="details">
% if choice.quote:
  <dt>Quote</dt><dd><a href="/quotes/{{choice.quote.id}}">Quote {{choice.quote.id}}</a></dd>
% end
  <dt>Car</dt><dd>{{choice.car.make}} {{choice.car.model}}{{(' · ' + choice.car.plate) if choice.car.plate else ''}}</dd>
% if choice.appointment:
  <dt>Now</dt><dd>{{local(choice.appointment.start)}}</dd>
  <dt>New time</dt><dd><strong>{{local(start)}}</strong></dd>
% else:
  <dt>When</dt><dd><strong>{{local(start)}}</strong> (about {{duration(choice.minutes)}})</dd>
% end
  <dt>Services</dt>
  <dd><ul class="plain">
% for s in choice.services:
    <li>{{s.name}} · {{money(gross(s.price))}}</li>
% end
  </ul></dd>
% if choice.quote:
  <dt>Quoted price</dt><dd>{{money(choice.quote.accepted.total)}} (the lines you accepted, tax included)</dd>
% elif not choice.appointment:
  <dt>Estimated price</dt><dd>{{money(gross(choice.total))}} (incl. {{vat_rate()}}% VAT)</dd>
% end
</dl>
% if not errors:
% if not terms.open:
<p class="warning" id="change-terms">This time is less than {{terms.hours}} hours away: once {{'moved' if choice.appointment else 'booked'}}, it cannot be {{'moved again' if choice.appointment else 'moved'}} or cancelled online. To change it, please {{!call_us()}}.</p>
% elif terms.moves_left:
<p class="hint" id="change-terms">You can {{'move it again' if choice.appointment else 'move'}} or cancel it online until <strong>{{local(terms.until)}}</strong> ({{terms.hours}} hours before it starts).</p>
% else:
<p class="hint" id="change-terms">You can cancel it online until <strong>{{local(terms.until)}}</strong> ({{terms.hours}} hours before it starts). {{'It cannot be moved online again' if choice.appointment else 'It cannot be moved online'}}: to move it, please {{!call_us()}}.</p>
% end
<form id="confirm-form" method="post" action="{{choice.base}}" class="form">
  <input type="hidden" name="csrf_token" value="{{csrf()}}">
% for name, value in choice.hidden():
  <input type="hidden" name="{{name}}" value="{{value}}">
% end
  <input type="hidden" name="start" value="{{start.isoformat()}}">
% if key:
  <input type="hidden" name="key" value="{{key}}">
% end
  <button type="submit" class="button primary">{{'Move my appointment' if choice.appointment else 'Book now'}}</button>
  <a class="button" href="{{choice.calendar}}?{{choice.params(date=start.date().isoformat())}}#times">Choose another time</a>
</form>
% end
% end
