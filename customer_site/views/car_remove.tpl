% rebase('layout')
<h1>Remove this car?</h1>
<p>{{car.make}} {{car.model}}{{(' (%s)' % car.year) if car.year else ''}} · {{car.plate or 'No plate'}}</p>
<p>It leaves your list of cars and can no longer be booked. The shop keeps its history (visits,
invoices, mileage). If you have it again later, add it with the same VIN or licence plate: it comes
back with its history.</p>
% include('_errors', fields=(), labels={})
<form id="car_remove-form" method="post" action="/cars/{{car.id}}/remove" class="form">
  <input type="hidden" name="csrf_token" value="{{csrf()}}">
  <button type="submit" class="button danger">Yes, remove it</button>
  <a class="button" href="/cars">Keep it</a>
</form>
